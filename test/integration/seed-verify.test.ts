import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { generateSession, type SeedConfig } from '../../src/seed/generator.ts';
import { seed } from '../../src/seed/seeder.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import { verify } from '../../src/verify/verify.ts';
import { connectTestCql, countAll, dropKeyspace, testKeyspace } from '../support/cql.ts';

const config: SeedConfig = { seed: 11, sessions: 250, accounts: 20, days: 14, endDate: '2026-10-15' };
const k = testKeyspace('seed');
let c: Connected;
let queries: CqlQueries;
const opts = { samples: 25, accountSamples: 4 };

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({ exec: c.exec, keyspace: k, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
  queries = new CqlQueries(c.exec, k);
});
afterAll(async () => {
  await dropKeyspace(c, k);
  await c.exec.close();
});

describe('seed then verify, on the real CQL server', () => {
  it('seeds the dataset and every key query matches the ground truth', async () => {
    const progress = await seed(c.exec, k, config, { concurrency: 32 });
    expect(progress.sessions).toBe(config.sessions);
    expect(progress.steps).toBeGreaterThan(config.sessions * 3);
    const report = await verify(queries, config, opts);
    const failures = report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`);
    expect(failures).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.queries.map((q) => q.query)).toEqual([
      'P1',
      'P2',
      'P3',
      'P4',
      'P5',
      'A1',
      'A2',
      'A3',
      'A5',
      'A6',
      'E1',
      'E2',
      'E3',
    ]);
    for (const q of report.queries) expect(q.rows, q.query).toBeGreaterThan(0);
  });

  it('re-seeding writes the same rows: nothing is duplicated', async () => {
    const before = await countAll(c, k);
    await seed(c.exec, k, config, { concurrency: 32 });
    expect(await countAll(c, k)).toEqual(before);
  });

  it('the verifier catches a store that lost a step and one that shows the wrong branch', async () => {
    const model = generateSession(config, 0);
    const agentTurn = model.turns.find((t) => t.role === 'agent')!;
    await c.exec.execute(`DELETE FROM ${k}.steps_by_turn WHERE turn_id = ? AND idx = 0`, [agentTurn.turnId]);
    const root = model.turns.find((t) => t.parentId === null)!;
    await c.exec.execute(`UPDATE ${k}.turns_by_session SET active_root = ? WHERE session_id = ?`, [
      'nope',
      model.session.sessionId,
    ]);
    const report = await verify(queries, config, opts);
    expect(report.passed).toBe(false);
    const failed = report.queries.filter((q) => q.failed).map((q) => q.query);
    expect(failed).toEqual(['P1', 'P3']);
    expect(report.queries.find((q) => q.query === 'P1')!.firstFailure!.label).toBe(model.session.sessionId);
    // Put it back so the failure is attributable to exactly these two rows.
    await c.exec.execute(`UPDATE ${k}.turns_by_session SET active_root = ? WHERE session_id = ?`, [
      model.active.get('') ?? root.turnId,
      model.session.sessionId,
    ]);
    await seed(c.exec, k, config, { concurrency: 32 });
    expect((await verify(queries, config, opts)).passed).toBe(true);
  });
});
