import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { loadSessions } from '../../src/postgres/load.ts';
import { migratePg } from '../../src/postgres/migrate.ts';
import { backfillPgToCql } from '../../src/postgres/to-cql.ts';
import { generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import { verify } from '../../src/verify/verify.ts';
import { connectTestCql, countAll, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';

const config: SeedConfig = { seed: 5, sessions: 200, accounts: 15, days: 12, endDate: '2026-10-15' };
const ks = testKeyspace('pg2cql');
const schema = testSchema('pg2cql');
let c: Connected;
let pool: pg.Pool;

beforeAll(async () => {
  c = await connectTestCql();
  pool = await connectTestPg(schema);
  await migratePg(pool, schema);
  await loadSessions(pool, generateSessions(config), { batchSessions: 50, concurrency: 2 });
  await migrate({ exec: c.exec, keyspace: ks, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
});
afterAll(async () => {
  await dropKeyspace(c, ks);
  await c.exec.close();
  await closeTestPg(pool, schema);
});

describe('migration path: backfill PostgreSQL into the CQL tables', () => {
  it('a PostgreSQL-seeded dataset, backfilled into a fresh keyspace, passes the verifier', async () => {
    const p = await backfillPgToCql(pool, c.exec, ks, { batchSessions: 37, concurrency: 32 });
    expect(p.sessions).toBe(config.sessions);
    const report = await verify(new CqlQueries(c.exec, ks), config, {
      samples: 25,
      accountSamples: 4,
    });
    expect(report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`)).toEqual(
      [],
    );
    expect(report.passed).toBe(true);
  });

  it('re-running the backfill (or resuming it) writes no extra rows', async () => {
    const before = await countAll(c, ks);
    const half = (await pool.query('SELECT uid FROM sessions ORDER BY uid OFFSET 100 LIMIT 1')).rows[0].uid as string;
    const resumed = await backfillPgToCql(pool, c.exec, ks, { batchSessions: 64, concurrency: 16, after: half });
    expect(resumed.sessions).toBe(config.sessions - 101);
    expect(await countAll(c, ks)).toEqual(before);
  });
});
