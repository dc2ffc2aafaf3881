import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { runProjector, type RunningProjector } from '../../src/projector/run.ts';
import type { Redis } from '../../src/readmodels/apply.ts';
import { silentLogger } from '../../src/readside/log.ts';
import { runCli } from '../support/cli.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { cleanupReadSide, envOf, redisOf, testReadSide } from '../support/readside.ts';

// `agentstore cdc-probe` (what helm test runs in the cluster), here with the CDC stand-in in place of
// ScyllaDB CDC and the connector: it passes only when the projector really shows every probe in Redis.
const ks = testKeyspace('probe');
const rs = testReadSide('probe', ks);
let c: Connected;
let redis: Redis;
let projector: RunningProjector | undefined;

const probe = (...args: string[]) => runCli(['cdc-probe', '--cdc-standin', ...args], { ...envOf(rs), AGENTSTORE_KEYSPACE: ks });

beforeAll(async () => {
  c = await connectTestCql();
  redis = await redisOf(rs);
  await migrate({ exec: c.exec, keyspace: ks, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
});
afterAll(async () => {
  await projector?.stop();
  await cleanupReadSide(rs, redis);
  await redis.quit();
  await dropKeyspace(c, ks);
  await c.exec.close();
});

describe('agentstore cdc-probe', () => {
  it('fails, naming what is missing and where to look, when nothing projects the changes', async () => {
    const r = await probe('--writes', '3', '--timeout', '4');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/3 of 3 probe conversations not visible in the read models after 4 s/);
    expect(r.stderr).toMatch(/next: check the connector/);
  });

  it('passes once the projector runs, and reports the lag', async () => {
    projector = await runProjector(rs, silentLogger);
    const r = await probe('--writes', '8', '--timeout', '120');
    expect(r.stderr).toContain('visible in Redis: 8/8');
    expect(r.stdout).toMatch(/^CDC path ok: 8 probe conversations \(run [0-9a-f]{8}, keyspace \w+\) visible in the read models in [\d.]+ s; lag p50 \d+ ms, p99 \d+ ms$/m);
    expect(r.code).toBe(0);
    // The probes of the failed run above are now projected too: both runs are in Redis, 11 sessions.
    const sessions = await redis.keys(`${rs.keyPrefix}:*:s:probe-*`);
    expect(sessions).toHaveLength(11);
  });

  it('names a bad flag and exits 2', async () => {
    const r = await probe('--writes', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--writes must be a whole number from 1 to 10000/);
  });
});
