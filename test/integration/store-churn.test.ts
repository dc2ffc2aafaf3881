import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { StepType } from '../../src/domain/step-types.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { datasetSchedules, generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { replaySession } from '../../src/seed/replay.ts';
import { scheduleStatements } from '../../src/seed/seeder.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import { AgentStore } from '../../src/store/store.ts';
import { forEachBounded } from '../../src/util/bounded.ts';
import { verify } from '../../src/verify/verify.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';

// A churn dataset (rewrites, answers racing their questions, regenerations, bucketed tenants)
// written the way an application writes it: through the store's commands, concurrent where the
// events are close in time, instead of the seeder's ordered bulk load.
const config: SeedConfig = { seed: 23, sessions: 80, accounts: 6, days: 10, endDate: '2026-10-15' };
const k = testKeyspace('churn');
let c: Connected;

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({ exec: c.exec, keyspace: k, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
  // The dataset's schedules start in its past, which setAccountBuckets refuses: written as the seeder does.
  for (const s of scheduleStatements(k, datasetSchedules(config))) await c.exec.run(s);
});
afterAll(async () => {
  await dropKeyspace(c, k);
  await c.exec.close();
});

describe('the store under rewrites and races, on the real CQL server', () => {
  it('replayed through the commands, with races, every key query matches the ground truth', async () => {
    const models = [...generateSessions(config)];
    const rewritten = models.flatMap((m) => m.superseded);
    // The dataset exercises what the issue names: rewrites of each kind, type changes, answered questions.
    expect(rewritten.length).toBeGreaterThan(20);
    const finalType = new Map(models.flatMap((m) => m.steps.map((s) => [`${s.turnId}/${s.idx}`, s.type])));
    expect(
      rewritten.some((v) => v.type === StepType.InputRequest && finalType.get(`${v.turnId}/${v.idx}`) !== v.type),
    ).toBe(true);
    expect(rewritten.some((v) => v.type === StepType.TurnClassifier)).toBe(true);

    const store = new AgentStore(c.exec, k);
    let raced = 0;
    await forEachBounded(models, 8, async (m) => void (raced += await replaySession(store, m)));
    expect(raced).toBeGreaterThan(0);

    const report = await verify(new CqlQueries(c.exec, k), config, { samples: 40, accountSamples: 6 });
    const failures = report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`);
    expect(failures).toEqual([]);
    expect(report.queries.find((q) => q.query === 'A5')!.rows).toBeGreaterThan(0);
  });
});
