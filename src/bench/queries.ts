import type { DriverExecutor } from '../cql/driver.ts';
import { bucketRange } from '../schema/buckets.ts';
import { datasetSchedules, generateSession, windowDays, type SeedConfig } from '../seed/generator.ts';
import { dayBuckets } from '../seed/seeder.ts';
import { CqlQueries } from '../store/queries.ts';
import type { Latency } from '../util/latency.ts';
import { timePair } from './stats.ts';

export interface QueryFigures {
  query: string;
  ours: Latency;
  bare: Latency;
  /** ours p99 / bare p99; the target for single-partition queries is <= 2. */
  ratio: number;
}

/**
 * Single-partition key queries next to a bare prepared `SELECT *` of the same partition (for a
 * day query: of each of the day's buckets, in parallel) through cassandra-driver: the difference is
 * our overhead (mapping, validation, the schedule read, extra reads).
 */
export async function benchQueries(
  exec: DriverExecutor,
  ks: string,
  config: SeedConfig,
  iterations: number,
): Promise<QueryFigures[]> {
  const q = new CqlQueries(exec, ks);
  const buckets = dayBuckets(datasetSchedules(config));
  const models = Array.from({ length: Math.min(50, config.sessions) }, (_, i) =>
    generateSession(config, Math.floor((i * config.sessions) / Math.min(50, config.sessions))),
  );
  const pick = <T>(list: T[], i: number): T => list[i % list.length]!;
  const agentTurns = models.flatMap((m) => m.turns.filter((t) => t.role === 'agent').map((t) => t.turnId));
  const accounts = [...new Set(models.map((m) => m.session.accountId))];
  const day = windowDays(config).at(-1)!;
  const bare = (cql: string, params: (i: number) => unknown[]) => (i: number) =>
    exec.client.execute(cql, params(i) as never, { prepare: true });
  /** The same partitions a day query reads: every bucket of the account's day, in parallel. */
  const bareDay = (table: string, account: (i: number) => string) => (i: number) =>
    Promise.all(
      bucketRange(buckets(account(i), day)).map((b) =>
        exec.client.execute(
          `SELECT * FROM ${ks}.${table} WHERE account_id = ? AND day = ? AND bucket = ?`,
          [account(i), day, b] as never,
          { prepare: true },
        ),
      ),
    );

  const cases: [string, (i: number) => Promise<unknown>, (i: number) => Promise<unknown>][] = [
    [
      'P1 active branch',
      (i) => q.activeBranch(pick(models, i).session.sessionId),
      bare(`SELECT * FROM ${ks}.turns_by_session WHERE session_id = ?`, (i) => [pick(models, i).session.sessionId]),
    ],
    [
      'P3 steps page (20)',
      (i) => q.turnSteps(pick(agentTurns, i), { limit: 20 }),
      bare(`SELECT * FROM ${ks}.steps_by_turn WHERE turn_id = ? LIMIT 20`, (i) => [pick(agentTurns, i)]),
    ],
    [
      'P5 session summary',
      (i) => q.sessionSummary(pick(models, i).session.sessionId),
      bare(`SELECT * FROM ${ks}.turns_by_session WHERE session_id = ?`, (i) => [pick(models, i).session.sessionId]),
    ],
    [
      'A2 step types, one day',
      (i) => q.stepTypeDistribution(pick(accounts, i), day),
      bareDay('steps_by_account_day_bucket', (i) => pick(accounts, i)),
    ],
    [
      'A5 pending inputs, one day',
      (i) => q.pendingInputs(pick(accounts, i), [day]),
      bareDay('pending_inputs_by_account_day_bucket', (i) => pick(accounts, i)),
    ],
  ];
  const out: QueryFigures[] = [];
  for (const [name, ours, base] of cases) {
    const [o, b] = await timePair(iterations, ours, base);
    out.push({ query: name, ours: o, bare: b, ratio: o.p99 / b.p99 });
  }
  return out;
}
