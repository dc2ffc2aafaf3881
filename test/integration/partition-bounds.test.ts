import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { PARTITION_ROWS } from '../../src/schema/buckets.ts';
import { datasetSchedules, generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { checkSchedules, seed } from '../../src/seed/seeder.ts';
import { describeFailure, renderFailure } from '../../src/cli/errors.ts';
import { UsageError } from '../../src/config/settings.ts';
import { measurePartitions } from '../../src/store/partitions.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import { AgentStore } from '../../src/store/store.ts';
import { verify } from '../../src/verify/verify.ts';
import { connectTestCql, countAll, dropKeyspace, testKeyspace } from '../support/cql.ts';

// Three skewed tenants over four days: unbucketed, the biggest tenant's day partitions pass
// PARTITION_ROWS, so a bound that holds here holds because the policy split them.
const config: SeedConfig = { seed: 5, sessions: 700, accounts: 3, days: 4, endDate: '2026-10-15' };
const seeded = testKeyspace('writemodel_bounds');
const live = testKeyspace('writemodel_policy');
let c: Connected;

beforeAll(async () => {
  c = await connectTestCql();
  for (const keyspace of [seeded, live])
    await migrate({ exec: c.exec, keyspace, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
});
afterAll(async () => {
  for (const k of [seeded, live]) await dropKeyspace(c, k);
  await c.exec.close();
});

describe('the bucket policy keeps every partition bounded, on the real CQL server', () => {
  it('a seeded skewed history: no partition of any table past PARTITION_ROWS, every key query right', async () => {
    const perDay = new Map<string, number>();
    for (const m of generateSessions(config)) {
      const day = new Map(m.turns.map((t) => [t.turnId, `${t.accountId} ${t.createdAt.toISOString().slice(0, 10)}`]));
      for (const s of m.steps) perDay.set(day.get(s.turnId)!, (perDay.get(day.get(s.turnId)!) ?? 0) + 1);
    }
    expect(Math.max(...perDay.values())).toBeGreaterThan(PARTITION_ROWS);

    await seed(c.exec, seeded, config, { concurrency: 32 });
    const tables = await measurePartitions(c.exec, seeded);
    const largest = Object.fromEntries(tables.map((t) => [t.table, t.mostRows?.rows ?? 0]));
    for (const [table, rows] of Object.entries(largest)) expect(rows, table).toBeLessThanOrEqual(PARTITION_ROWS);
    // The split tables hold most of it: a day bucket of the biggest tenant is well filled, not empty.
    expect(largest['steps_by_account_day_bucket']).toBeGreaterThan(PARTITION_ROWS / 4);

    const report = await verify(new CqlQueries(c.exec, seeded), config, { samples: 20, accountSamples: 3 });
    expect(report.queries.filter((q) => q.failed).map((q) => q.query)).toEqual([]);
  });

  it('a seed refuses to rebucket days of a keyspace that holds rows, before writing anything', async () => {
    const before = await countAll(c, seeded);
    // Twice the traffic on the same tenants and days: the policy sizes those days differently.
    const bigger = { ...config, sessions: 1400 };
    const refused = seed(c.exec, seeded, bigger, { concurrency: 32 });
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(/would give acct_\w+ \d+ buckets on 2026-10-1\d, a day stored with \d+/);
    const failure = describeFailure(await refused.catch((e: unknown) => e));
    expect(renderFailure(failure)).toMatch(
      /^error: seeding this dataset into .* split across buckets; fix: seed into an empty keyspace .*--fresh/,
    );
    expect(failure.exitCode).toBe(2);
    expect(await countAll(c, seeded)).toEqual(before);
    // The same dataset again is no change: it is let through (and writes the same rows).
    await expect(checkSchedules(c.exec, seeded, datasetSchedules(config), new Date())).resolves.toBeUndefined();
  });

  it('live writes: a tenant filling its day gets more buckets from the first day no write has reached', async () => {
    let now = Date.parse('2026-10-05T12:00:00Z');
    const clock = { now: () => new Date(now) };
    const store = new AgentStore(c.exec, live, clock, { bucketCheckMs: 0 });
    const queries = new CqlQueries(c.exec, live);
    const steps = (n: number) =>
      Array.from({ length: n }, (_, idx) => ({ idx, type: 'Text', content: { text: `s${idx}` }, durationMs: 5 }));
    const day = async (tag: string, turns: number) => {
      await store.createSession({ sessionId: `s_${tag}`, accountId: 'big', title: tag });
      for (let i = 0; i < turns; i++) {
        await store.appendTurn({
          sessionId: `s_${tag}`,
          turnId: `h_${tag}_${i}`,
          role: 'human',
          parentId: null,
          prompt: 'hi',
        });
        await store.appendTurn({
          sessionId: `s_${tag}`,
          turnId: `a_${tag}_${i}`,
          role: 'agent',
          parentId: `h_${tag}_${i}`,
        });
        await store.addSteps({ turnId: `a_${tag}_${i}`, steps: steps(200) });
      }
    };
    // Half the day gone and 600 steps in its one partition: 1,200 expected, two buckets needed.
    await day('d1', 3);
    const schedule = await c.exec.execute(
      `SELECT since, buckets FROM ${live}.account_buckets WHERE account_id = 'big'`,
    );
    expect(schedule.rows.map((r) => [String(r['since']), r['buckets']])).toEqual([['2026-10-06', 2]]);

    // The next day's rows spread over both buckets, and the readers find them all.
    now = Date.parse('2026-10-06T02:00:00Z');
    await day('d2', 4);
    const parts = await c.exec.execute(
      `SELECT bucket, count(*) AS n FROM ${live}.steps_by_account_day_bucket WHERE account_id = 'big' AND day = '2026-10-06' AND bucket IN (0, 1) GROUP BY bucket`,
    );
    expect(parts.rows.length).toBe(2);
    expect(parts.rows.reduce((n, r) => n + Number(r['n']), 0)).toBe(800);
    expect(await queries.stepTypeDistribution('big', '2026-10-05')).toEqual([{ type: 'Text', count: 600 }]);
    expect(await queries.stepTypeDistribution('big', '2026-10-06')).toEqual([{ type: 'Text', count: 800 }]);
    expect(await queries.turnsPerDay('big', ['2026-10-06'])).toEqual([{ day: '2026-10-06', human: 4, agent: 4 }]);
  });
});
