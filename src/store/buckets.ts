import type { CqlExecutor } from '../cql/executor.ts';
import { ValidationError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import { dayOf } from '../domain/model.ts';
import {
  baseBuckets,
  bucketRange,
  bucketsOn,
  MAX_BUCKETS,
  type BucketEntry,
  type BucketSchedule,
} from '../schema/buckets.ts';
import { insert, select } from './statements.ts';

/**
 * Owners' bucketing schedules (table account_buckets, keyed by an account id or versionOwner; the
 * rule is in src/schema/buckets.ts), read by writers and readers and kept for SCHEDULE_CACHE_MS. A cached schedule is never wrong for a
 * day that can be written: a change may only start on a day that begins after the cache lifetime
 * and the clock skew have passed (checkScheduleChange).
 */
const SCHEDULE_CACHE_MS = 60_000;
const MAX_CACHED = 10_000;

export class BucketSchedules {
  private readonly cache = new Map<string, { at: number; schedule: Promise<BucketSchedule> }>();

  constructor(
    private readonly exec: CqlExecutor,
    private readonly keyspace: string,
  ) {}

  get(owner: string): Promise<BucketSchedule> {
    const hit = this.cache.get(owner);
    if (hit && performance.now() - hit.at < SCHEDULE_CACHE_MS) return hit.schedule;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const schedule = this.read(owner);
    this.cache.set(owner, { at: performance.now(), schedule });
    // A failed read is not kept: the next caller reads again.
    schedule.catch(() => this.cache.delete(owner));
    return schedule;
  }

  /** Drops a cached schedule (after this process changed it). */
  forget(owner: string): void {
    this.cache.delete(owner);
  }

  /** The (day, bucket) partitions of an owner's days (an account's, or versionOwner's), day by day. */
  async dayPartitions(owner: string, days: readonly string[]): Promise<{ day: string; bucket: number }[]> {
    const schedule = await this.get(owner);
    return days.flatMap((day) =>
      bucketRange(bucketsOn(schedule, day, baseBuckets(owner))).map((bucket) => ({ day, bucket })),
    );
  }

  private async read(accountId: string): Promise<BucketSchedule> {
    const page = await this.exec.run(
      select(this.keyspace, 'account_buckets', ['since', 'buckets'], 'account_id = ?', [accountId]),
    );
    return page.rows.map((r) => ({ since: r.since, buckets: r.buckets ?? 1 }));
  }
}

/** The first day a schedule change may start on, at `now`: no write can reach it before every cache has reread. */
export function earliestScheduleDay(now: Date): string {
  const reach = new Date(now.getTime() + LIMITS.clockSkewMs + SCHEDULE_CACHE_MS);
  return dayOf(new Date(Date.parse(`${dayOf(reach)}T00:00:00Z`) + 86_400_000));
}

/** Checks a schedule change (AgentStore.setAccountBuckets) and returns its row. */
export function checkScheduleChange(buckets: unknown, since: unknown, now: Date): BucketEntry {
  if (!Number.isInteger(buckets) || (buckets as number) < 1 || (buckets as number) > MAX_BUCKETS)
    throw new ValidationError('buckets', `must be an integer from 1 to ${MAX_BUCKETS}`);
  if (typeof since !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(since)))
    throw new ValidationError('since', 'must be a day, YYYY-MM-DD (UTC)');
  const earliest = earliestScheduleDay(now);
  if (since < earliest)
    throw new ValidationError(
      'since',
      `${since} may already have rows in their buckets; a change starts on a day no write has reached: ${earliest} or later`,
    );
  return { since, buckets: buckets as number };
}

export const scheduleRow = (ks: string, accountId: string, e: BucketEntry) =>
  insert(ks, 'account_buckets', { account_id: accountId, since: e.since, buckets: e.buckets });
