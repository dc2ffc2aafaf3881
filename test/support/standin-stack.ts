import { afterAll, beforeAll } from 'vitest';
import { CdcStandinExecutor } from '../../src/cdc/standin/executor.ts';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { runProjector, type RunningProjector } from '../../src/projector/run.ts';
import type { Redis } from '../../src/clients/redis.ts';
import type { ReadSideConfig } from '../../src/config/read-side.ts';
import { silentLogger } from '../../src/log/log.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from './cql.ts';
import { cleanupReadSide, redisOf, testReadSide } from './readside.ts';

/** A test file's own write model and read side: a migrated keyspace, topics, group and Redis prefix. */
export interface StandinStack {
  ks: string;
  rs: ReadSideConfig;
  /** Set in beforeAll. */
  c: Connected;
  redis: Redis;
  /** The CDC stand-in over the keyspace: writes through it also reach the topics. Close it after use. */
  openStandin(): Promise<CdcStandinExecutor>;
  /** Starts the projector (stopped with the stack). */
  startProjector(): Promise<void>;
}

/** Registers beforeAll/afterAll that set the stack up and remove everything it made. */
export function useStandinStack(name: string): StandinStack {
  const ks = testKeyspace(name);
  const rs = testReadSide(name, ks);
  let projector: RunningProjector | undefined;
  const stack = {
    ks,
    rs,
    openStandin: () =>
      CdcStandinExecutor.open(stack.c.exec, rs.brokers, ks, { topicPrefix: rs.topicPrefix, log: silentLogger }),
    async startProjector() {
      projector = await runProjector(rs, silentLogger);
    },
  } as StandinStack;
  beforeAll(async () => {
    stack.c = await connectTestCql();
    stack.redis = await redisOf(rs);
    await migrate({
      exec: stack.c.exec,
      keyspace: ks,
      dialect: stack.c.dialect,
      datacenter: 'datacenter1',
      replicationFactor: 1,
    });
  });
  afterAll(async () => {
    await projector?.stop();
    await cleanupReadSide(rs, stack.redis);
    await stack.redis.quit();
    await dropKeyspace(stack.c, ks);
    await stack.c.exec.close();
  });
  return stack;
}
