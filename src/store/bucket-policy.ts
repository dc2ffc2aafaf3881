import { applied, type CqlExecutor } from '../cql/executor.ts';
import { dayOf, monthOf, type Session, type Turn } from '../domain/model.ts';
import { baseBuckets, bucketOfId, bucketsFor, bucketsOn, versionOwner } from '../schema/buckets.ts';
import { earliestScheduleDay, type BucketSchedules } from './buckets.ts';
import { insert, selectCount, update } from './statements.ts';
import type { DayBuckets } from './writes.ts';

/**
 * The automatic bucket policy on the live write path (the rule is in src/schema/buckets.ts). A
 * writer that has just written a row to one of an owner's partitions of the current day (or month)
 * now and then counts that one partition, projects the period's rows from it (buckets share rows
 * evenly, by hash, and the period is partly over), and when the projection needs more buckets than
 * the schedule has on the earliest day a change may start on, raises them from that day. B of a day
 * is fixed before the day can be written (checkScheduleChange's rule), so no row ever moves: a
 * growing tenant's next day is split, never its current one. Raises only, and with a
 * compare-and-set, so racing writers settle on the larger count; a schedule holds at most
 * log2(MAX_BUCKETS) + 1 entries.
 */

/** How often one process samples one owner's partitions of one table. */
const CHECK_MS = 300_000;
/** A projection extrapolates at most 24 times what is there (an hour of a day): earlier, a few rows would overshoot. */
const MIN_ELAPSED = 1 / 24;
const MAX_TRACKED = 10_000;
const RAISE_ATTEMPTS = 4;

/** A partition just written: its owner, table and key, the period it covers, and the owner's B in that period. */
export interface Sample {
  owner: string;
  table: 'steps_by_account_day_bucket' | 'sessions_by_account_month_bucket' | 'agent_turns_by_version_day_bucket';
  where: string;
  params: unknown[];
  start: Date;
  end: Date;
  buckets: number;
}

/** The rows a period will hold, from one bucket's rows so far: every bucket alike, the rest of the period alike. */
export function projectedRows(sampled: number, buckets: number, elapsed: number): number {
  return (sampled * buckets) / Math.min(1, Math.max(elapsed, MIN_ELAPSED));
}

export class BucketPolicy {
  private readonly checked = new Map<string, number>();

  constructor(
    private readonly exec: CqlExecutor,
    private readonly keyspace: string,
    private readonly schedules: BucketSchedules,
    private readonly checkMs = CHECK_MS,
  ) {}

  /** After a session's rows: its account's month partition. */
  afterSession(s: Session, buckets: DayBuckets, now: Date): Promise<number | null> {
    const month = monthOf(s.createdAt);
    const b = buckets(s.accountId, dayOf(s.createdAt));
    const start = new Date(`${month}-01T00:00:00Z`);
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const where = 'account_id = ? AND month = ? AND bucket = ?';
    const params = [s.accountId, month, bucketOfId(s.sessionId, b)];
    return this.observe(
      { owner: s.accountId, table: 'sessions_by_account_month_bucket', where, params, start, end, buckets: b },
      now,
    );
  }

  /** After an agent turn's rows: its version's day partition. */
  afterAgentTurn(t: Turn, buckets: DayBuckets, now: Date): Promise<number | null> {
    if (!t.agentVersion) return Promise.resolve(null);
    const owner = versionOwner(t.agentVersion);
    const day = dayOf(t.createdAt);
    const b = buckets(owner, day);
    const where = 'agent_version = ? AND day = ? AND bucket = ?';
    const params = [t.agentVersion, day, bucketOfId(t.turnId, b)];
    return this.observe(
      { owner, table: 'agent_turns_by_version_day_bucket', where, params, ...dayPeriod(day), buckets: b },
      now,
    );
  }

  /** After a step call's rows: the account's day partition of the turn (steps are the biggest account-day table). */
  afterSteps(
    t: Pick<Turn, 'turnId' | 'accountId' | 'createdAt'>,
    buckets: DayBuckets,
    now: Date,
  ): Promise<number | null> {
    const day = dayOf(t.createdAt);
    const b = buckets(t.accountId, day);
    const where = 'account_id = ? AND day = ? AND bucket = ?';
    const params = [t.accountId, day, bucketOfId(t.turnId, b)];
    return this.observe(
      { owner: t.accountId, table: 'steps_by_account_day_bucket', where, params, ...dayPeriod(day), buckets: b },
      now,
    );
  }

  /** Samples `s` unless it was sampled less than checkMs ago; returns the buckets it scheduled, if it raised them. */
  async observe(s: Sample, now: Date): Promise<number | null> {
    if (now < s.start || now >= s.end) return null; // a write into the past says nothing of today's traffic
    const id = `${s.table}\x1f${s.owner}`;
    const seen = this.checked.get(id);
    if (seen !== undefined && performance.now() - seen < this.checkMs) return null;
    if (this.checked.size >= MAX_TRACKED) this.checked.clear();
    this.checked.set(id, performance.now());
    const page = await this.exec.run(selectCount(this.keyspace, s.table, [], s.where, s.params));
    const elapsed = (now.getTime() - s.start.getTime()) / (s.end.getTime() - s.start.getTime());
    const need = bucketsFor(projectedRows(Number(page.rows[0]?.n ?? 0), s.buckets, elapsed));
    return this.raise(s.owner, earliestScheduleDay(now), need);
  }

  /** Sets the owner's buckets from `since` to `need` unless they are that many or more already. */
  private async raise(owner: string, since: string, need: number): Promise<number | null> {
    this.schedules.forget(owner);
    if (need <= bucketsOn(await this.schedules.get(owner), since, baseBuckets(owner))) return null;
    const table = 'account_buckets';
    const claim = await this.exec.run(
      insert(this.keyspace, table, { account_id: owner, since, buckets: need }, { ifNotExists: true }),
      { serial: true },
    );
    let done = applied(claim);
    let stored = claim.rows[0]?.buckets ?? 0;
    for (let i = 0; !done && stored < need && i < RAISE_ATTEMPTS; i++) {
      const page = await this.exec.run(
        update(this.keyspace, table, { buckets: need }, { account_id: owner, since }, { onlyIf: { buckets: stored } }),
        { serial: true },
      );
      done = applied(page);
      stored = page.rows[0]?.buckets ?? 0;
    }
    this.schedules.forget(owner);
    return done ? need : null;
  }
}
/** The start and end of a UTC day. */
function dayPeriod(day: string): { start: Date; end: Date } {
  const start = new Date(`${day}T00:00:00Z`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}
