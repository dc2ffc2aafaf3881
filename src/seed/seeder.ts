import type { CqlExecutor, Statement } from '../cql/executor.ts';
import { monthOf } from '../domain/model.ts';
import { UsageError } from '../config/settings.ts';
import { baseBuckets, bucketsOn, type BucketEntry, type BucketSchedule } from '../schema/buckets.ts';
import { BucketSchedules, earliestScheduleDay, scheduleRow } from '../store/buckets.ts';
import { sessionMonthWrite, type DayBuckets } from '../store/writes.ts';
import { forEachBounded, forEachPhased } from '../util/bounded.ts';
import { datasetSchedules, generateSessions, type SeedConfig, type SessionModel } from './generator.ts';
import { sessionStatements } from './plan.ts';

export interface SeedProgress {
  sessions: number;
  steps: number;
  statements: number;
}

export interface SeedOptions {
  concurrency: number;
  onProgress?: (p: SeedProgress) => void;
}

/** A DayBuckets lookup over known schedules (an owner without one has its baseBuckets every day). */
export function dayBuckets(schedules: ReadonlyMap<string, BucketSchedule>): DayBuckets {
  return (owner, day) => bucketsOn(schedules.get(owner) ?? [], day, baseBuckets(owner));
}

/** The accounts' bucketing schedules: written before any row, so no reader sees rows in buckets its schedule does not name. */
export const scheduleStatements = (ks: string, schedules: ReadonlyMap<string, BucketSchedule>): Statement[] =>
  [...schedules].flatMap(([account, schedule]) => schedule.map((e) => scheduleRow(ks, account, e)));

/**
 * Refuses (before writing anything) a seed whose schedules would change how many buckets a day has
 * when the keyspace already holds rows and the day is one a write may have reached: the rows of a
 * turn stored under the old count and rewritten under the new one would sit in two buckets. The
 * rule is setAccountBuckets' (src/store/buckets.ts): a change starts on earliestScheduleDay or
 * later. An empty keyspace takes any schedule, and a re-seed of the same dataset changes nothing.
 */
export async function checkSchedules(
  exec: CqlExecutor,
  ks: string,
  schedules: ReadonlyMap<string, BucketSchedule>,
  now: Date,
): Promise<void> {
  const hasRows = async (table: 'sessions' | 'turns') =>
    (await exec.execute(`SELECT ${table === 'sessions' ? 'session_id' : 'turn_id'} FROM ${ks}.${table} LIMIT 1`)).rows
      .length > 0;
  if (!schedules.size || !((await hasRows('sessions')) || (await hasRows('turns')))) return;
  const earliest = earliestScheduleDay(now);
  for (const [owner, planned] of schedules) {
    const stored = (await new BucketSchedules(exec, ks).get(owner)) as BucketEntry[];
    const merged = [...stored.filter((e) => !planned.some((p) => p.since === e.since)), ...planned];
    const base = baseBuckets(owner);
    for (const { since: day } of [...stored, ...planned]) {
      if (day >= earliest) continue;
      const before = bucketsOn(stored, day, base);
      const after = bucketsOn(merged, day, base);
      if (before !== after)
        throw new UsageError(
          `seeding this dataset into ${ks} would give ${owner} ${after} buckets on ${day}, a day stored with ${before}, ` +
            `while the keyspace holds rows: a turn's rows could end up split across buckets`,
          `seed into an empty keyspace (\`agentstore migrate --fresh --keyspace <another>\`), or give the dataset flags this keyspace was seeded with`,
        );
    }
  }
}

/**
 * The statements of the sessions, one list of phases per session (src/seed/plan.ts), lazily:
 * memory stays flat whatever the size (but for one directory key per account and month). Rows are
 * bucketed by `schedules`.
 */
export function* seedStatements(
  ks: string,
  models: Iterable<SessionModel>,
  progress: SeedProgress,
  schedules: ReadonlyMap<string, BucketSchedule>,
): Generator<Statement[][]> {
  const buckets = dayBuckets(schedules);
  const months = new Set<string>();
  for (const model of models) {
    const phases = sessionStatements(ks, model, buckets);
    const month = `${model.session.accountId}\x1f${monthOf(model.session.createdAt)}`;
    if (!months.has(month)) (months.add(month), phases[0]!.push(sessionMonthWrite(ks, model.session)));
    progress.sessions++;
    progress.steps += model.steps.length;
    yield phases;
  }
}

/**
 * Writes the generated dataset with at most `concurrency` statements in flight, each session's
 * phases in order. Deterministic ids make it idempotent: a re-run, or a run resumed after a crash,
 * rewrites the same rows and ends in the same state.
 */
export async function seed(
  exec: CqlExecutor,
  ks: string,
  config: SeedConfig,
  opts: SeedOptions,
): Promise<SeedProgress> {
  const progress: SeedProgress = { sessions: 0, steps: 0, statements: 0 };
  const schedules = datasetSchedules(config);
  await checkSchedules(exec, ks, schedules, new Date());
  await forEachBounded(scheduleStatements(ks, schedules), opts.concurrency, async (s) => void (await exec.run(s)));
  const timer = opts.onProgress ? setInterval(() => opts.onProgress!(progress), 250) : undefined;
  try {
    const statements = seedStatements(ks, generateSessions(config), progress, schedules);
    await forEachPhased(statements, opts.concurrency, async (s) => {
      await exec.run(s);
      progress.statements++;
    });
  } finally {
    if (timer) clearInterval(timer);
  }
  opts.onProgress?.(progress);
  return progress;
}
