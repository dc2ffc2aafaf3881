import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSessions } from '../../src/postgres/load.ts';
import { migratePg, pgSchemaVersion } from '../../src/postgres/migrate.ts';
import { PG_LATEST, PG_MIGRATIONS } from '../../src/postgres/migrations/index.ts';
import { PgQueries } from '../../src/postgres/queries.ts';
import { generateSession, generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { verify } from '../../src/verify/verify.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';

const config: SeedConfig = { seed: 11, sessions: 300, accounts: 20, days: 14, endDate: '2026-10-15' };
const schema = testSchema('pgverify');
let pool: pg.Pool;
const opts = { samples: 30, accountSamples: 5 };

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['sessions', 'human_turns', 'agent_turns', 'steps'])
    out[t] = Number((await pool.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  return out;
}

beforeAll(async () => {
  pool = await connectTestPg(schema);
});
afterAll(async () => {
  await closeTestPg(pool, schema);
});

describe('PostgreSQL baseline: migrate, seed, verify on the real server', () => {
  it('concurrent migration runs apply each migration once', async () => {
    const results = await Promise.all([migratePg(pool, schema), migratePg(pool, schema), migratePg(pool, schema)]);
    const versions = PG_MIGRATIONS.map((m) => m.version);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(versions);
    expect(await pgSchemaVersion(pool, schema)).toBe(PG_LATEST);
    const applied = await pool.query('SELECT version, checksum FROM schema_migrations ORDER BY version');
    expect(applied.rows.map((r) => r.version)).toEqual(versions);
  });

  it('an edited applied migration stops the run and names it', async () => {
    await expect(migratePg(pool, schema, [{ version: 1, name: 'edited', statements: ['SELECT 1'] }])).rejects.toThrow(
      /migration 1 .*checksum/,
    );
  });

  it('loads the generated dataset and every key query matches the ground truth', async () => {
    const progress = await loadSessions(pool, generateSessions(config), { batchSessions: 50, concurrency: 2 });
    expect(progress.sessions).toBe(config.sessions);
    const c = await counts();
    expect(c.steps).toBe(progress.steps);
    expect(c['human_turns']! + c['agent_turns']!).toBe(progress.turns);
    const report = await verify(new PgQueries(pool), config, opts);
    const failures = report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`);
    expect(failures).toEqual([]);
    expect(report.passed).toBe(true);
    for (const q of report.queries) expect(q.rows, q.query).toBeGreaterThan(0);
  });

  it('re-loading inserts nothing twice', async () => {
    const before = await counts();
    await loadSessions(pool, generateSessions(config), { batchSessions: 64, concurrency: 2 });
    expect(await counts()).toEqual(before);
  });

  it('the verifier catches a lost step and a wrong active branch', async () => {
    const model = generateSession(config, 0);
    const agentTurn = model.turns.find((t) => t.role === 'agent')!;
    const step = await pool.query('DELETE FROM steps WHERE agent_turn_uid = $1 AND idx = 0 RETURNING *', [
      agentTurn.turnId,
    ]);
    const root = await pool.query('UPDATE sessions SET active_root = NULL WHERE uid = $1 RETURNING active_root', [
      model.session.sessionId,
    ]);
    expect(step.rowCount).toBe(1);
    expect(root.rowCount).toBe(1);
    const report = await verify(new PgQueries(pool), config, opts);
    expect(report.queries.filter((q) => q.failed).map((q) => q.query)).toEqual(expect.arrayContaining(['P1', 'P3']));
    expect(report.passed).toBe(false);
    await pool.query('UPDATE sessions SET active_root = $2 WHERE uid = $1', [
      model.session.sessionId,
      model.active.get(''),
    ]);
    await loadSessions(pool, [model], { batchSessions: 1, concurrency: 1 });
    expect((await verify(new PgQueries(pool), config, opts)).passed).toBe(true);
  });
});
