import { ProjectorMetrics } from './metrics.ts';
import { Projector } from './projector.ts';
import { currentGeneration, dropGeneration, groupOf, switchGeneration } from '../readmodels/generation.ts';
import { cdcTopics } from '../cdc/topics.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import { groupLag, kafkaClient } from '../clients/kafka.ts';
import type { Logger } from '../log/log.ts';
import { redisClient } from '../clients/redis.ts';

export interface RebuildResult {
  from: string;
  to: string;
  droppedKeys: number;
  seconds: number;
}

/**
 * Rebuilds every read model from the earliest offset of the CDC topics into a new generation (new
 * key prefix, new consumer group), then flips the generation pointer atomically and drops the old
 * generation. Readers and the running projector follow the pointer (within ~2 s), so the old keys
 * are dropped only after `graceMs`. Needs the topics to still hold every row's latest change
 * (retention or compaction covering the data): see docs/read-side.md.
 */
export async function rebuild(
  config: ReadSideConfig,
  log: Logger,
  opts: { graceMs?: number; timeoutMs?: number } = {},
): Promise<RebuildResult> {
  const started = performance.now();
  const redis = redisClient(config);
  await redis.connect();
  const admin = kafkaClient(config.brokers, 'agentstore-rebuild', log).admin();
  await admin.connect();
  try {
    const from = await currentGeneration(redis, config.keyPrefix);
    const to = `g${Date.now().toString(36)}`;
    log.log('info', 'rebuild started', { from, to, group: groupOf(config.group, to) });
    const projector = new Projector({ config, generation: to, log, metrics: new ProjectorMetrics() });
    await projector.start();
    const topics = cdcTopics(config);
    const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
    try {
      // Progress while it catches up: a rebuild of a large backlog runs for minutes.
      let reported = Date.now();
      for (;;) {
        const lag = await groupLag(admin, groupOf(config.group, to), topics);
        if (lag === 0) break;
        if (Date.now() - reported >= 10_000) {
          reported = Date.now();
          log.log('info', 'rebuild catching up', {
            to,
            lag,
            seconds: Math.round((performance.now() - started) / 1000),
          });
        }
        if (Date.now() > deadline)
          throw new Error(`rebuild not caught up in time (lag ${lag}); the old generation stays live`);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await projector.stop();
    }
    if (!(await switchGeneration(redis, config.keyPrefix, from, to))) {
      await dropGeneration(redis, config.keyPrefix, to);
      throw new Error(
        `the live generation changed from ${from} during the rebuild (another rebuild?); discarded ${to}`,
      );
    }
    log.log('info', 'switched read-model generation', { from, to });
    await new Promise((r) => setTimeout(r, opts.graceMs ?? 5000));
    const droppedKeys = await dropGeneration(redis, config.keyPrefix, from);
    await admin
      .deleteGroups([groupOf(config.group, from)])
      .catch((err: Error) => log.log('warn', 'old consumer group not deleted (still in use?)', { error: err.message }));
    const seconds = (performance.now() - started) / 1000;
    log.log('info', 'rebuild done', { from, to, droppedKeys, seconds });
    return { from, to, droppedKeys, seconds };
  } finally {
    await admin.disconnect();
    await redis.quit().catch(() => {});
  }
}
