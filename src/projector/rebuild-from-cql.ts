import type { Admin } from 'kafkajs';
import { cdcTopics } from '../cdc/topics.ts';
import { ensureTopics, groupLag, kafkaClient } from '../clients/kafka.ts';
import { redisClient, type Redis } from '../clients/redis.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import type { CqlExecutor } from '../cql/executor.ts';
import type { Logger } from '../log/log.ts';
import { CDC_TABLES } from '../migrations/catalog.ts';
import { applyChanges, loadScript } from '../readmodels/apply.ts';
import { effectOf } from '../readmodels/effects.ts';
import {
  currentGeneration,
  dropGeneration,
  groupOf,
  prefixOf,
  rebuildStateKey,
  switchGeneration,
} from '../readmodels/generation.ts';
import { Keys } from '../readmodels/keys.ts';
import { scanSlice, tokenRanges } from './cql-scan.ts';
import { ProjectorMetrics } from './metrics.ts';
import { Projector } from './projector.ts';

/**
 * `agentstore rebuild --from-cql`: the read models from the write model itself, for when the CDC
 * topics no longer hold every row's history (7-day retention) or after a restore.
 *
 * 1. The CDC topics' end offsets are taken and committed as the new generation's consumer group's
 *    position, before anything is read from CQL.
 * 2. Every CDC table is scanned by token ranges, each row applied to the new generation as an
 *    insert versioned by its WRITETIME (src/projector/cql-scan.ts), through the projector's own
 *    guarded Lua apply.
 * 3. A projector on the new group consumes from those offsets until its lag is 0: every change made
 *    during the scan is applied once; the ones the scan already saw are refused by the row guards
 *    (same version) or, being idempotent ops on the same entries, change nothing.
 * 4. The pointer is switched with a compare-and-set; running projectors follow it to the new group;
 *    after a grace period the old generation's keys and group are dropped.
 *
 * The state (generation, offsets, phase, finished slices) lives in Redis next to the pointer, so a
 * run killed at any point is resumed by the next: slices already applied are skipped (a slice cut
 * short is applied again, which the guards make harmless), a finished switch is only cleaned up,
 * and a state whose base generation is no longer live is discarded and the rebuild restarts.
 */
export interface RebuildFromCqlOptions {
  /** Token-ring slices per table (resume granularity). */
  ranges?: number;
  pageSize?: number;
  /** Rows read per second at most (0 = unlimited): protects a live cluster. */
  maxRowsPerSecond?: number;
  graceMs?: number;
  timeoutMs?: number;
  /** After each applied slice (tests hold writes here to place them in the middle of the scan). */
  onSlice?: (done: number, total: number) => Promise<void> | void;
}

export interface RebuildFromCqlResult {
  from: string;
  to: string;
  resumed: boolean;
  rows: number;
  seconds: number;
  droppedKeys: number;
}

type Phase = 'scan' | 'catch-up' | 'switched';
interface State {
  from: string;
  to: string;
  phase: Phase;
}

const doneKey = (base: string) => `${rebuildStateKey(base)}:done`;

/** Commits the topics' current end offsets as `group`'s position: where its consumer starts. */
async function pinOffsets(admin: Admin, group: string, topics: string[]): Promise<void> {
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  }
}

async function readState(redis: Redis, base: string): Promise<State | null> {
  const s = await redis.hGetAll(rebuildStateKey(base));
  return s['to'] && s['from'] && s['phase'] ? { from: s['from'], to: s['to'], phase: s['phase'] as Phase } : null;
}

async function setPhase(redis: Redis, base: string, phase: Phase): Promise<void> {
  await redis.hSet(rebuildStateKey(base), 'phase', phase);
}

export async function rebuildFromCql(
  config: ReadSideConfig,
  exec: CqlExecutor,
  log: Logger,
  opts: RebuildFromCqlOptions = {},
): Promise<RebuildFromCqlResult> {
  const started = performance.now();
  const base = config.keyPrefix;
  const redis = redisClient(config);
  await redis.connect();
  const admin = kafkaClient(config.brokers, 'agentstore-rebuild-from-cql', log).admin();
  await admin.connect();
  const topics = cdcTopics(config);
  try {
    const live = await currentGeneration(redis, base);
    let state = await readState(redis, base);
    let resumed = state !== null;
    if (state && state.to !== live && state.from !== live) {
      log.log('warn', 'discarding a rebuild whose base generation is no longer live', { ...state, live });
      await discard(redis, admin, config, state.to);
      state = null;
      resumed = false;
    }
    if (!state) {
      state = { from: live, to: `g${Date.now().toString(36)}`, phase: 'scan' };
      await ensureTopics(admin, topics);
      // Before the first read: every change after this point is consumed after the scan.
      await pinOffsets(admin, groupOf(config.group, state.to), topics);
      await redis.del(doneKey(base));
      await redis.hSet(rebuildStateKey(base), { ...state });
      log.log('info', 'rebuild from CQL started', { ...state, group: groupOf(config.group, state.to) });
    } else log.log('info', 'rebuild from CQL resumed', { ...state });
    if (state.to === live && state.phase !== 'switched') state.phase = 'switched';

    let rows = 0;
    if (state.phase === 'scan') {
      rows = await scanAll(redis, exec, config, state.to, log, opts);
      await setPhase(redis, base, (state.phase = 'catch-up'));
    }
    if (state.phase === 'catch-up') {
      await catchUp(admin, config, state.to, log, opts.timeoutMs ?? 3_600_000);
      if (!(await switchGeneration(redis, base, state.from, state.to))) {
        await discard(redis, admin, config, state.to);
        throw new Error(
          `the live generation changed from ${state.from} during the rebuild (another rebuild?); discarded ${state.to}`,
        );
      }
      await setPhase(redis, base, (state.phase = 'switched'));
      log.log('info', 'switched read-model generation', { from: state.from, to: state.to });
      await new Promise((r) => setTimeout(r, opts.graceMs ?? 5000));
    }
    const droppedKeys = await dropGeneration(redis, base, state.from);
    await admin
      .deleteGroups([groupOf(config.group, state.from)])
      .catch((err: Error) => log.log('warn', 'old consumer group not deleted (still in use?)', { error: err.message }));
    await redis.del([rebuildStateKey(base), doneKey(base)]);
    const seconds = (performance.now() - started) / 1000;
    log.log('info', 'rebuild from CQL done', { from: state.from, to: state.to, rows, droppedKeys, seconds });
    return { from: state.from, to: state.to, resumed, rows, seconds, droppedKeys };
  } finally {
    await admin.disconnect();
    await redis.quit().catch(() => {});
  }
}

async function discard(redis: Redis, admin: Admin, config: ReadSideConfig, generation: string): Promise<void> {
  await dropGeneration(redis, config.keyPrefix, generation);
  await admin.deleteGroups([groupOf(config.group, generation)]).catch(() => {});
  await redis.del([rebuildStateKey(config.keyPrefix), doneKey(config.keyPrefix)]);
}

/** Every slice of every CDC table not done yet, applied to generation `to`; progress every 10 s. */
async function scanAll(
  redis: Redis,
  exec: CqlExecutor,
  config: ReadSideConfig,
  to: string,
  log: Logger,
  opts: RebuildFromCqlOptions,
): Promise<number> {
  await loadScript(redis);
  const keys = new Keys(prefixOf(config.keyPrefix, to));
  const ranges = tokenRanges(opts.ranges ?? 64);
  const total = ranges.length * CDC_TABLES.length;
  const done = new Set(await redis.sMembers(doneKey(config.keyPrefix)));
  const started = performance.now();
  let rows = 0;
  let reported = Date.now();
  for (const table of CDC_TABLES) {
    for (const [i, range] of ranges.entries()) {
      const slice = `${table}:${i}/${ranges.length}`;
      if (done.has(slice)) continue;
      await scanSlice(exec, config.keyspace, table, range, opts.pageSize ?? 1000, async (events, read) => {
        if (events.length)
          await applyChanges(
            redis,
            keys,
            events.map((e) => ({ tsUs: e.tsUs, effect: effectOf(keys, e) })),
          );
        rows += read;
        await throttle(rows, started, opts.maxRowsPerSecond ?? 0);
      });
      await redis.sAdd(doneKey(config.keyPrefix), slice);
      done.add(slice);
      if (Date.now() - reported >= 10_000) {
        reported = Date.now();
        const secs = (performance.now() - started) / 1000;
        const rate = rows / Math.max(secs, 0.001);
        log.log('info', 'rebuild from CQL scanning', {
          to,
          slices: `${done.size}/${total}`,
          rows,
          rowsPerSecond: Math.round(rate),
          etaSeconds: Math.round(((total - done.size) * secs) / Math.max(done.size, 1)),
        });
      }
      await opts.onSlice?.(done.size, total);
    }
  }
  return rows;
}

/** Sleeps so that `rows` read since `started` stay under `perSecond` (0: no limit). */
async function throttle(rows: number, started: number, perSecond: number): Promise<void> {
  if (!perSecond) return;
  const ahead = (rows / perSecond) * 1000 - (performance.now() - started);
  if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
}

/** A projector on the new generation's group from the pinned offsets until nothing is left to consume. */
async function catchUp(admin: Admin, config: ReadSideConfig, to: string, log: Logger, timeoutMs: number) {
  const projector = new Projector({ config, generation: to, log, metrics: new ProjectorMetrics() });
  await projector.start();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const lag = await groupLag(admin, groupOf(config.group, to), cdcTopics(config));
      if (lag === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `rebuild not caught up in time (lag ${lag}); the old generation stays live; run it again to resume`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await projector.stop();
  }
}
