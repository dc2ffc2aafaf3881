import type { CqlExecutor } from '../../src/cql/executor.ts';
import { dayOf, type Step } from '../../src/domain/model.ts';
import { latencyOf, type KeyQueries, type TypeCount, type TypeLatency } from '../../src/domain/queries.ts';
import { stepTypeName, type StepType } from '../../src/domain/step-types.ts';

/**
 * The analytics layout before migration 4, kept as test support so the repository shows why it was
 * replaced: `steps_by_account_day` (migration 1) clusters on (step_type, duration_ms, turn_id, idx),
 * so the step's measures are part of its key. Its writer upserted one row per step write; its
 * readers answered A2 with a GROUP BY step_type count and A3 from the durations in key order.
 */
export async function writeOldStep(exec: CqlExecutor, ks: string, s: Step, turnCreatedAt: Date): Promise<void> {
  await exec.execute(
    `INSERT INTO ${ks}.steps_by_account_day (account_id, day, step_type, duration_ms, turn_id, idx, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [s.accountId, dayOf(turnCreatedAt), s.type, s.durationMs, s.turnId, s.idx, s.sessionId],
  );
}

/** A2 and A3 as the old readers answered them (the other key queries are not this layout's point). */
export function oldLayoutQueries(
  exec: CqlExecutor,
  ks: string,
): Pick<KeyQueries, 'stepTypeDistribution' | 'stepLatency'> {
  const rows = async (accountId: string, day: string) =>
    (
      await exec.execute(
        `SELECT step_type, duration_ms FROM ${ks}.steps_by_account_day WHERE account_id = ? AND day = ?`,
        [accountId, day],
        { fetchSize: 100_000 },
      )
    ).rows as unknown as { step_type: StepType; duration_ms: number }[];
  return {
    async stepTypeDistribution(accountId: string, day: string): Promise<TypeCount[]> {
      const counts = new Map<StepType, number>();
      for (const r of await rows(accountId, day)) counts.set(r.step_type, (counts.get(r.step_type) ?? 0) + 1);
      return [...counts.keys()].sort((a, b) => a - b).map((t) => ({ type: stepTypeName(t), count: counts.get(t)! }));
    },
    async stepLatency(accountId: string, days: string[]): Promise<TypeLatency[]> {
      const byType = new Map<StepType, number[]>();
      for (const day of days)
        for (const r of await rows(accountId, day))
          (byType.get(r.step_type) ?? byType.set(r.step_type, []).get(r.step_type)!).push(r.duration_ms);
      return [...byType.keys()]
        .sort((a, b) => a - b)
        .map((t) =>
          latencyOf(
            stepTypeName(t),
            byType.get(t)!.sort((a, b) => a - b),
          ),
        );
    },
  };
}
