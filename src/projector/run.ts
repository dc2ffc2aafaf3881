import { currentGeneration } from '../readmodels/generation.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import type { Logger } from '../log/log.ts';
import { redisClient } from '../clients/redis.ts';
import { ProjectorMetrics } from './metrics.ts';
import { Projector } from './projector.ts';

export interface RunningProjector {
  metricsPort: number;
  stop(): Promise<void>;
}

/**
 * The long-running projector: metrics/health endpoints, the projector of the live generation, and
 * a watch on the generation pointer. When `agentstore rebuild` switches generations, this process
 * stops consuming the old one (committing its batch) and continues with the new generation's group,
 * which the rebuild left caught up.
 */
export async function runProjector(config: ReadSideConfig, log: Logger, watchMs = 2000): Promise<RunningProjector> {
  const metrics = new ProjectorMetrics();
  const { server, port } = await metrics.serve(config.metricsPort);
  // Before connecting: a pod's probes and an operator's curl reach it while it waits for Kafka and Redis.
  log.log('info', 'serving metrics', { port, paths: ['/metrics', '/healthz', '/readyz'] });
  let started: Awaited<ReturnType<typeof startWithin>>;
  try {
    started = await startWithin(config, log, metrics);
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  const { redis } = started;
  let { generation, projector } = started;
  let switching: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    switching = switching
      .then(async () => {
        const now = await currentGeneration(redis, config.keyPrefix);
        if (now === generation) return;
        log.log('info', 'read-model generation switched: following it', { from: generation, to: now });
        await projector.stop();
        generation = now;
        projector = new Projector({ config, generation, log, metrics });
        await projector.start();
      })
      .catch((err: Error) => log.log('error', 'generation watch failed', { error: err.message }));
  }, watchMs);
  return {
    metricsPort: port,
    async stop() {
      clearInterval(timer);
      await switching;
      await projector.stop();
      await redis.quit().catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Connects to Redis and Kafka and starts the live generation's projector, trying again with backoff
 * (2 s doubling to 10 s) for up to config.startupTimeoutMs. Kafka or Redis restarting during a rollout
 * or a node drain is normal: exiting at once would put the pod into CrashLoopBackOff, whose growing
 * delays outlast the outage (kafkajs gives up a connection after about 20 s). Meanwhile /healthz is
 * green (the process works) and /readyz is not.
 */
async function startWithin(config: ReadSideConfig, log: Logger, metrics: ProjectorMetrics) {
  const deadline = Date.now() + config.startupTimeoutMs;
  for (let attempt = 1, delayMs = 2000; ; attempt++, delayMs = Math.min(delayMs * 2, 10_000)) {
    const redis = redisClient(config);
    redis.on('error', (err: Error) => log.log('warn', 'redis connection error', { error: err.message }));
    let projector: Projector | undefined;
    try {
      await redis.connect();
      const generation = await currentGeneration(redis, config.keyPrefix);
      projector = new Projector({ config, generation, log, metrics });
      await projector.start();
      return { redis, generation, projector };
    } catch (err) {
      await projector?.stop().catch(() => {});
      if (redis.isOpen) await redis.quit().catch(() => {});
      const left = deadline - Date.now();
      if (left <= delayMs) throw err;
      log.log('warn', 'waiting for Kafka and Redis', {
        attempt,
        error: (err as Error).message,
        retryInSeconds: delayMs / 1000,
        givesUpInSeconds: Math.round(left / 1000),
      });
      await sleep(delayMs);
    }
  }
}
