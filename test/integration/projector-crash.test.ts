import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdcStandinExecutor } from '../../src/cdc/standin/executor.ts';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import type { Redis } from '../../src/clients/redis.ts';
import { currentGeneration, groupOf, prefixOf } from '../../src/readmodels/generation.ts';
import { RedisQueries } from '../../src/readmodels/queries.ts';
import { groupLag, kafkaClient } from '../../src/clients/kafka.ts';
import { silentLogger } from '../../src/log/log.ts';
import { runProjector } from '../../src/projector/run.ts';
import type { ReadSideConfig } from '../../src/config/read-side.ts';
import type { SeedConfig } from '../../src/seed/generator.ts';
import { seed } from '../../src/seed/seeder.ts';
import { verify } from '../../src/verify/verify.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { cleanupReadSide, envOf, redisOf, snapshot, testReadSide, waitCaughtUp } from '../support/readside.ts';
import { cdcTopics } from '../../src/cdc/topics.ts';

// kill -9 of the projector process mid-stream, then a restart: the read models equal a clean projection of
// the same topics, key for key, and the ground truth. Then a redelivery on purpose: every event again, from
// the earliest offsets, is refused by the version guards (or, for `sessions`, re-applies ops that commute) and
// leaves the read models as they were.
const dataset: SeedConfig = { seed: 5, sessions: 60, accounts: 6, days: 7, endDate: '2026-10-15' };
const ks = testKeyspace('crash');
const rs = { ...testReadSide('crash', ks), fetchMaxBytes: 8 * 1024 };
/** A second read side on the same topics: its own group and keys, projected once without interruption. */
const clean: ReadSideConfig = { ...testReadSide('clean', ks), topicPrefix: rs.topicPrefix };
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
  await cleanupReadSide(clean, redis);
  await redis.quit();
  await dropKeyspace(c, ks);
  await c.exec.close();
});

/** A generation's keys and contents with its prefix cut off, so two read sides can be compared key for key. */
async function readModels(c: ReadSideConfig): Promise<Record<string, unknown>> {
  const prefix = prefixOf(c.keyPrefix, await currentGeneration(redis, c.keyPrefix));
  const snap = await snapshot(redis, prefix);
  return Object.fromEntries(Object.entries(snap).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** A projector's agentstore_projector_events_total by "table outcome", from its /metrics. */
async function eventCounts(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^agentstore_projector_events_total\{table="(\w+)",outcome="(\w+)"\} (\d+)$/gm))
    counts[`${m[1]} ${m[2]}`] = Number(m[3]);
  return counts;
}

describe('projector crash and restart', () => {
  it('SIGKILL mid-stream, restart, SIGTERM: the read models equal a clean projection and the ground truth', async () => {
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
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const lines = second
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toContain('projector stopped');

    const uninterrupted = await runProjector({ ...clean, metricsPort: 0 }, silentLogger);
    await waitCaughtUp(clean, redis);
    await uninterrupted.stop();
    const afterCrash = await readModels(rs);
    expect(Object.keys(afterCrash).length).toBeGreaterThan(dataset.sessions * 5);
    expect(afterCrash).toEqual(await readModels(clean));

    const all = { samples: dataset.sessions, accountSamples: dataset.accounts };
    const report = await verify(new RedisQueries(redis, rs.keyPrefix), dataset, all);
    expect(report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`)).toEqual(
      [],
    );
    expect(report.passed).toBe(true);
  });

  it('every event delivered again from the earliest offsets: guarded rows refused, the rest commute, nothing changes', async () => {
    const before = await readModels(clean);
    const group = groupOf(clean.group, await currentGeneration(redis, clean.keyPrefix));
    const admin = kafkaClient(clean.brokers, 'test-redeliver', silentLogger).admin();
    await admin.connect();
    try {
      for (const topic of cdcTopics(clean)) await admin.resetOffsets({ groupId: group, topic, earliest: true });
      expect(await groupLag(admin, group, cdcTopics(clean))).toBeGreaterThan(dataset.sessions * 10);
    } finally {
      await admin.disconnect();
    }
    const again = await runProjector({ ...clean, metricsPort: 0 }, silentLogger);
    try {
      await waitCaughtUp(clean, redis);
      const counts = await eventCounts(again.metricsPort);
      // Rows of the guarded tables are refused one by one. `sessions` has no ordering guard by design
      // (set-once cells and a last-activity max-register: its ops commute, docs/read-side.md), so its
      // events apply again, to no effect: the snapshot below is what shows it.
      for (const table of ['turns_by_session', 'steps_by_turn', 'pending_inputs_by_account_day_bucket']) {
        expect(counts[`${table} applied`] ?? 0, `${table}: nothing applied twice`).toBe(0);
        expect(counts[`${table} duplicate`], `${table}: redelivered`).toBeGreaterThan(0);
      }
      expect(counts['sessions applied']).toBeGreaterThanOrEqual(dataset.sessions);
    } finally {
      await again.stop();
    }
    expect(await readModels(clean)).toEqual(before);
  });
});
