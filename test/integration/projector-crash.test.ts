import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdcStandinExecutor } from '../../src/cdc/standin/executor.ts';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import type { Redis } from '../../src/readmodels/apply.ts';
import { groupOf } from '../../src/readmodels/generation.ts';
import { RedisQueries } from '../../src/readmodels/queries.ts';
import { groupLag, kafkaClient } from '../../src/readside/kafka.ts';
import { silentLogger } from '../../src/readside/log.ts';
import type { SeedConfig } from '../../src/seed/generator.ts';
import { seed } from '../../src/seed/seeder.ts';
import { verify } from '../../src/verify/verify.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { cdcTopics, cleanupReadSide, envOf, redisOf, testReadSide, waitCaughtUp } from '../support/readside.ts';

// kill -9 of the projector process mid-stream, then a restart: the read models still equal the ground truth.
const dataset: SeedConfig = { seed: 5, sessions: 60, accounts: 6, days: 7, endDate: '2026-10-15' };
const ks = testKeyspace('crash');
const rs = { ...testReadSide('crash', ks), fetchMaxBytes: 8 * 1024 };
let c: Connected;
let redis: Redis;
const children: ChildProcess[] = [];

function startProjector(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // node --import tsx, not npx: the signal must reach the projector itself, not a wrapper.
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/agentstore.js'), 'project'], {
    env: { ...process.env, ...envOf(rs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

beforeAll(async () => {
  c = await connectTestCql();
  redis = await redisOf(rs);
  await migrate({ exec: c.exec, keyspace: ks, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
  const standin = await CdcStandinExecutor.open(c.exec, rs.brokers, ks, {
    topicPrefix: rs.topicPrefix,
    log: silentLogger,
  });
  await seed(standin, ks, dataset, { concurrency: 32 });
  await standin.close();
});
afterAll(async () => {
  for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
  await cleanupReadSide(rs, redis);
  await redis.quit();
  await dropKeyspace(c, ks);
  await c.exec.close();
});

describe('projector crash and restart', () => {
  it('SIGKILL mid-stream, restart, SIGTERM: read models equal the ground truth, shutdown is clean', async () => {
    const admin = kafkaClient(rs.brokers, 'test-crash', silentLogger).admin();
    await admin.connect();
    const total = await groupLag(admin, groupOf(rs.group, 'g1'), cdcTopics(rs));
    const first = startProjector();
    let lag = total;
    for (let i = 0; i < 600 && lag > total * 0.5; i++) {
      await new Promise((r) => setTimeout(r, 25));
      lag = await groupLag(admin, groupOf(rs.group, 'g1'), cdcTopics(rs));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    await admin.disconnect();
    expect(lag, 'killed mid-stream').toBeGreaterThan(0);
    expect(lag).toBeLessThan(total);

    const second = startProjector();
    await waitCaughtUp(rs, redis);
    const report = await verify(new RedisQueries(redis, rs.keyPrefix), dataset, { samples: 15, accountSamples: 3 });
    expect(report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`)).toEqual(
      [],
    );
    expect(report.passed).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const lines = second
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toContain('projector stopped');
  });
});
