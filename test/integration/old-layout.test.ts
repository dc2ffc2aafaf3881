import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import type { KeyQueries } from '../../src/domain/queries.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { forEachBounded } from '../../src/util/bounded.ts';
import { planChecks } from '../../src/verify/checks.ts';
import { GroundTruth } from '../../src/verify/ground-truth.ts';
import { compareAnswers } from '../../src/verify/verify.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { oldLayoutQueries, writeOldStep } from '../support/old-layout.ts';

// Why migration 4 replaced the analytics tables: on the layout before it (a keyspace at version 3),
// the churn dataset's rewritten steps are counted once per version, and verify says so.
const config: SeedConfig = { seed: 23, sessions: 80, accounts: 6, days: 10, endDate: '2026-10-15' };
const k = testKeyspace('writemodel_old');
let c: Connected;

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({
    exec: c.exec,
    keyspace: k,
    dialect: c.dialect,
    datacenter: 'datacenter1',
    replicationFactor: 1,
    target: 3,
  });
});
afterAll(async () => {
  await dropKeyspace(c, k);
  await c.exec.close();
});

describe('the analytics layout before migration 4, on the real CQL server', () => {
  it('answers A2 and A3 right without rewrites, and double-counts the churn dataset’s rewrites', async () => {
    const models = [...generateSessions(config)];
    const plan = planChecks(config, 20, 6);
    const checks = plan.checks.filter((ch) => ch.query === 'A2' || ch.query === 'A3');
    const truth = GroundTruth.build(generateSessions(config), plan.focus);
    const old = oldLayoutQueries(c.exec, k) as KeyQueries;
    const write = (pick: (m: (typeof models)[number]) => (typeof models)[number]['steps']) =>
      forEachBounded(models, 16, async (m) => {
        const turnAt = new Map(m.turns.map((t) => [t.turnId, t.createdAt]));
        for (const s of pick(m)) await writeOldStep(c.exec, k, s, turnAt.get(s.turnId)!);
      });

    // The final version of each step only: the old layout is right (the support code is the old layout, not a bug).
    await write((m) => m.steps);
    const once = await compareAnswers(checks, truth, old);
    expect(once.queries.filter((q) => q.failed).map((q) => q.query)).toEqual([]);

    // Every version, as the old writer stored each rewrite: a changed duration or type is a new row.
    const rewrites = models.flatMap((m) => m.superseded);
    expect(rewrites.length).toBeGreaterThan(20);
    await write((m) => m.superseded);
    const churned = await compareAnswers(checks, truth, old);
    const failed = Object.fromEntries(churned.queries.map((q) => [q.query, q.failed]));
    expect(failed['A2']).toBeGreaterThan(0);
    expect(failed['A3']).toBeGreaterThan(0);
    // The double count: the stored counts are the truth's plus the superseded versions', never fewer.
    const total = (v: unknown) => (v as { count: number }[]).reduce((n, t) => n + t.count, 0);
    let stored = 0;
    let right = 0;
    for (const ch of checks.filter((x) => x.query === 'A2')) {
      const [got, want] = [total(await ch.run(old)), total(await ch.run(truth))];
      expect(got).toBeGreaterThanOrEqual(want);
      stored += got;
      right += want;
    }
    expect(stored).toBeGreaterThan(right);
  });
});
