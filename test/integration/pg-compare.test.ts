import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { samplePg } from '../../src/postgres/compare.ts';
import { analyzeTables, loadSessions } from '../../src/postgres/load.ts';
import { migratePg } from '../../src/postgres/migrate.ts';
import { backfillPgToCql } from '../../src/postgres/to-cql.ts';
import { generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { QUERY_IDS } from '../../src/verify/checks.ts';
import { runCli } from '../support/cli.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';

// The dual-run gate on real PostgreSQL and Cassandra: a backfilled keyspace agrees, a corrupted row is named.
const config: SeedConfig = { seed: 11, sessions: 120, accounts: 9, days: 10, endDate: '2026-10-15' };
const ks = testKeyspace('pgcmp');
const schema = testSchema('pgcmp');
let c: Connected;
let pool: pg.Pool;

const cli = (...args: string[]) =>
  runCli(['pg-compare', ...args], { AGENTSTORE_PG_SCHEMA: schema, AGENTSTORE_KEYSPACE: ks });

beforeAll(async () => {
  c = await connectTestCql();
  pool = await connectTestPg(schema);
  await migratePg(pool, schema);
  await loadSessions(pool, generateSessions(config), { batchSessions: 60, concurrency: 2 });
  await analyzeTables(pool);
  await migrate({ exec: c.exec, keyspace: ks, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
  await backfillPgToCql(pool, c.exec, ks, { batchSessions: 60, concurrency: 32 });
});
afterAll(async () => {
  await dropKeyspace(c, ks);
  await c.exec.close();
  await closeTestPg(pool, schema);
});

describe('pg-compare: PostgreSQL and CQL answer for answer', () => {
  it('samples the same sessions for the same seed, spread over the table, with accounts, versions and day windows', async () => {
    const opts = { samples: 15, accountSamples: 3, days: 7, seed: 4 };
    const a = await samplePg(pool, opts);
    expect(a.sessions).toHaveLength(15);
    expect(new Set(a.sessions.map((s) => s.sessionId)).size).toBe(15);
    expect((await samplePg(pool, opts)).sessions).toEqual(a.sessions);
    expect((await samplePg(pool, { ...opts, seed: 5 })).sessions.map((s) => s.sessionId)).not.toEqual(
      a.sessions.map((s) => s.sessionId),
    );
    expect(a.accounts).toHaveLength(3);
    for (const acct of a.accounts) expect(acct.days).toHaveLength(7);
    expect(a.versions.length).toBeGreaterThan(0);
    expect(a.sessions.every((s) => s.turns.length > 0)).toBe(true);
  });

  it('after the backfill every key query agrees (exit 0), with progress on stderr', async () => {
    const r = await cli('--samples', '500', '--account-samples', '4');
    expect(r.stderr).toMatch(/^sampled 120 sessions, 4 accounts, \d+ agent versions from t_pgcmp_/m);
    expect(r.stderr).toMatch(/^compared (\d+)\/\1 checks$/m);
    for (const q of QUERY_IDS) expect(r.stdout).toMatch(new RegExp(`^${q} .* pass `, 'm'));
    expect(r.stdout).toContain(`all key queries agree: PostgreSQL ${schema} and CQL ${ks}`);
    expect(r.code).toBe(0);
  });

  it('a row corrupted on one side is reported under its query with the first differing example (exit 1)', async () => {
    const victim = (await pool.query('SELECT uid FROM sessions ORDER BY uid LIMIT 1')).rows[0].uid as string;
    await c.exec.execute(`UPDATE ${ks}.sessions SET title = 'tampered' WHERE session_id = ?`, [victim]);
    const r = await cli('--samples', '500', '--account-samples', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^P5 .* FAIL \(1\) /m);
    for (const q of QUERY_IDS.filter((id) => id !== 'P5')) expect(r.stdout).toMatch(new RegExp(`^${q} .* pass `, 'm'));
    expect(r.stdout).toContain(`P5 first mismatch (${victim}):`);
    expect(r.stdout).toMatch(/^ {2}cql +\{.*"title":"tampered"/m);
    expect(r.stdout).toMatch(/^ {2}postgres \{.*"title":"(?!tampered)/m);
    expect(r.stdout).toContain('MISMATCH: some key queries differ between PostgreSQL');
  });

  it('bad flags name the flag and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--samples', '0'], /--samples must be a whole number from 1/],
      [['--account-samples', 'many'], /--account-samples must be a whole number/],
      [['--days', '400'], /--days must be a whole number from 1 to 366/],
      [['--seed', '-1'], /--seed must be a whole number/],
      [['--pg-schema', 'Bad-Schema'], /--pg-schema .* is not a valid schema name/],
      [['--cql', 'a:b:c'], /--cql .* is not host\[:port\]/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
