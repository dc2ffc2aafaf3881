/**
 * The CDC path in local mode: seed through the CDC stand-in (src/cdc/standin: every write to a CDC
 * table is also published to Kafka in the ScyllaDB connector's format), run the projector into
 * Redis, verify every key query over the Redis read models against the ground truth, then make N
 * fresh writes and time each until it is visible in Redis (lag p50/p99). Uses its own keyspace,
 * topics, consumer group and Redis prefix per run, and removes them afterwards.
 */
import { randomBytes } from 'node:crypto';
import { CdcStandinExecutor } from '../cdc/standin/executor.ts';
import { cqlSettings } from '../config/settings.ts';
import { connectCql } from '../cql/connect.ts';
import { migrate } from '../migrations/runner.ts';
import { runProjector } from '../projector/run.ts';
import type { Redis } from '../clients/redis.ts';
import { RedisQueries } from '../readmodels/queries.ts';
import { readSideConfig, type ReadSideConfig } from '../config/read-side.ts';
import { NotCaughtUpError, waitCaughtUp } from '../projector/catch-up.ts';
import { dropReadSide } from '../projector/cleanup.ts';
import { silentLogger } from '../log/log.ts';
import { probeCdc, ProbeTimeoutError, type ProbeResult } from '../verify/cdc-probe.ts';
import { redisClient } from '../clients/redis.ts';
import type { SeedConfig } from '../seed/generator.ts';
import { seed } from '../seed/seeder.ts';
import { AgentStore } from '../store/store.ts';
import { verify, type VerifyReport } from '../verify/verify.ts';
import { ValidateFailure } from './types.ts';

export interface CdcResult {
  report: VerifyReport;
  published: number;
  writes: number;
  lagP50Ms: number;
  lagP99Ms: number;
}

/** Waits for the projector; a timeout becomes a ValidateFailure with the next step. */
async function waitProjected(
  rs: ReadSideConfig,
  redis: Redis,
  timeoutMs: number,
  onLine: (l: string) => void,
): Promise<void> {
  try {
    await waitCaughtUp(rs, redis, {
      timeoutMs,
      clientId: 'agentstore-validate-lag',
      onLag: (lag) => onLine(`projector lag ${lag < 0 ? '?' : lag} messages`),
    });
  } catch (err) {
    if (!(err instanceof NotCaughtUpError)) throw err;
    throw new ValidateFailure(
      err.message,
      'check Kafka and Redis with `make services-status`, then run `make validate` again',
    );
  }
}

/** The probe of the CDC path; a timeout becomes a ValidateFailure with the next step. */
async function measureLag(
  store: AgentStore,
  queries: RedisQueries,
  writes: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  try {
    return await probeCdc(store, queries, { writes, timeoutMs });
  } catch (err) {
    if (!(err instanceof ProbeTimeoutError)) throw err;
    throw new ValidateFailure(
      err.message,
      'check the projector (`agentstore project`) and Kafka with `make services-status`, then run `make validate` again',
    );
  }
}

export interface CdcOptions {
  keyspace: string;
  dataset: SeedConfig;
  writes: number;
  timeoutMs: number;
  onLine: (line: string) => void;
}

export async function verifyCdcLocal(o: CdcOptions): Promise<CdcResult> {
  const id = `validate_${randomBytes(3).toString('hex')}`;
  const rs = readSideConfig({
    ...process.env,
    AGENTSTORE_KEYSPACE: o.keyspace,
    AGENTSTORE_TOPIC_PREFIX: id,
    AGENTSTORE_CONSUMER_GROUP: id,
    AGENTSTORE_REDIS_PREFIX: id,
    AGENTSTORE_METRICS_PORT: '0',
  });
  const c = await connectCql(cqlSettings({ keyspace: o.keyspace }));
  const redis: Redis = redisClient(rs);
  await redis.connect();
  let projector: Awaited<ReturnType<typeof runProjector>> | undefined;
  let standin: CdcStandinExecutor | undefined;
  try {
    await migrate({
      exec: c.exec,
      keyspace: o.keyspace,
      dialect: c.dialect,
      datacenter: 'datacenter1',
      replicationFactor: 1,
    });
    standin = await CdcStandinExecutor.open(c.exec, rs.brokers, o.keyspace, {
      topicPrefix: rs.topicPrefix,
      log: silentLogger,
    });
    o.onLine(`seeding ${o.dataset.sessions} sessions through the CDC stand-in`);
    await seed(standin, o.keyspace, o.dataset, { concurrency: 32 });
    o.onLine('projecting into Redis');
    projector = await runProjector(rs, silentLogger);
    await waitProjected(rs, redis, o.timeoutMs, o.onLine);
    o.onLine('verifying the key queries over Redis');
    const queries = new RedisQueries(redis, rs.keyPrefix);
    const report = await verify(queries, o.dataset, { samples: 40, accountSamples: 6 });
    o.onLine(`timing ${o.writes} fresh writes until visible in Redis`);
    const probe = await measureLag(new AgentStore(standin, o.keyspace), queries, o.writes, o.timeoutMs);
    return { report, published: standin.published, writes: probe.writes, lagP50Ms: probe.p50Ms, lagP99Ms: probe.p99Ms };
  } finally {
    await standin?.close().catch(() => {});
    await projector?.stop().catch(() => {});
    await dropReadSide(rs, redis, 'agentstore-validate-cleanup').catch(() => {});
    await redis.quit().catch(() => {});
    await c.exec.execute(`DROP KEYSPACE IF EXISTS ${o.keyspace}`).catch(() => {});
    await c.exec.close();
  }
}
