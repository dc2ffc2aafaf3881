import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CqlAnalytics } from '../../src/analytics/cql.ts';
import { AnalyticsTruth } from '../../src/analytics/ground-truth.ts';
import { PgAnalytics } from '../../src/analytics/pg.ts';
import { RedisAnalytics } from '../../src/analytics/redis.ts';
import type { AnalyticsQueries } from '../../src/analytics/types.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { analyzeTables, loadSessions } from '../../src/postgres/load.ts';
import { migratePg } from '../../src/postgres/migrate.ts';
import { AGENT_VERSIONS, accountIdOf, generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { seed } from '../../src/seed/seeder.ts';
import { windowDays } from '../../src/seed/generator.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';
import { waitCaughtUp } from '../support/readside.ts';
import { useStandinStack } from '../support/standin-stack.ts';

const config: SeedConfig = { seed: 23, sessions: 160, accounts: 8, days: 10, endDate: '2026-10-15' };
const s = useStandinStack('analytics');
const { ks, rs } = s;
const schema = testSchema('analytics');
let pool: pg.Pool;
let stores: [string, AnalyticsQueries][];
const truth = new AnalyticsTruth(generateSessions(config));
const days = windowDays(config);
const accounts = [0, 1, 2, 5].map((k) => accountIdOf(config, k));

beforeAll(async () => {
  pool = await connectTestPg(schema);
  // Seeded through the CDC stand-in: the CQL tables and the change feed the projector folds into Redis.
  const standin = await s.openStandin();
  try {
    await seed(standin, ks, config, { concurrency: 32 });
  } finally {
    await standin.close();
  }
  await s.startProjector();
  await migratePg(pool, schema);
  await loadSessions(pool, generateSessions(config), { batchSessions: 50, concurrency: 2 });
  await analyzeTables(pool);
  await waitCaughtUp(rs, s.redis);
  stores = [
    ['postgres', new PgAnalytics(pool)],
    ['cql', new CqlAnalytics(s.c.exec, ks)],
    ['redis', new RedisAnalytics(s.redis, rs.keyPrefix)],
  ];
});
afterAll(async () => {
  await closeTestPg(pool, schema);
});

describe('analytics and evaluation queries: PostgreSQL, CQL and the Redis read models give the ground truth', () => {
  it('classifier score histograms', async () => {
    let seen = 0;
    for (const a of accounts) {
      for (const [label, buckets] of [
        ['bug_report', 10],
        ['praise', 4],
        ['how_to', 1],
      ] as const) {
        const expected = await truth.scoreHistogram(a, days, label, buckets);
        seen += expected.reduce((n, b) => n + b.count, 0);
        for (const [name, store] of stores)
          expect(await store.scoreHistogram(a, days, label, buckets), `${name} ${a} ${label}`).toEqual(expected);
      }
    }
    expect(seen).toBeGreaterThan(20);
  });

  it('regression report between agent versions', async () => {
    const versions = [...AGENT_VERSIONS, 'never-released'];
    const expected = await truth.versionRegression(versions, days);
    expect(expected.filter((v) => v.turns > 0).length).toBeGreaterThanOrEqual(2);
    expect(expected.at(-1)!.turns).toBe(0);
    for (const [name, store] of stores) expect(await store.versionRegression(versions, days), name).toEqual(expected);
    const lastDays = days.slice(-3);
    for (const [name, store] of stores)
      expect(await store.versionRegression(versions, lastDays), name).toEqual(
        await truth.versionRegression(versions, lastDays),
      );
  });

  it('time to first step and to the first Text step', async () => {
    for (const a of accounts) {
      for (const type of [null, 'Text', 'Code'] as const) {
        const expected = await truth.timeToFirstStep(a, days, type);
        for (const [name, store] of stores)
          expect(await store.timeToFirstStep(a, days, type), `${name} ${a} ${type}`).toEqual(expected);
      }
    }
    expect((await truth.timeToFirstStep(accounts[0]!, days, 'Text')).p50).toBeGreaterThan(0);
  });

  it('bad arguments are rejected naming the argument', async () => {
    for (const [, store] of stores) {
      await expect(store.scoreHistogram(accounts[0]!, days, 'praise', 0)).rejects.toThrow(ValidationError);
      await expect(store.timeToFirstStep(accounts[0]!, days, 'Nope' as never)).rejects.toThrow(/type/);
      await expect(store.versionRegression([], days)).rejects.toThrow(/versions/);
      await expect(store.scoreHistogram(accounts[0]!, ['2026-13'], 'praise', 5)).rejects.toThrow(/days/);
    }
  });
});
