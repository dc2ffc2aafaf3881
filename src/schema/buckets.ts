/**
 * The bucketing rule of the write model's time-bucketed tables (docs/data-model.md, "Buckets").
 *
 * A partition keyed by an account and a day (or month) would grow with that account's traffic, so
 * its key also carries a bucket: a row goes to bucket fnv1a(id) mod B, where id is the row's turn
 * (or session) id and B is the account's bucket count on the row's day. B comes from the account's
 * schedule (table account_buckets): entries "from this day on, B buckets", 1 before the first entry.
 * A schedule entry may only start on a day no write can reach yet (src/store/buckets.ts checks it),
 * so B of a day never changes once rows exist for it, and a rewrite of a row lands in the same bucket.
 * Readers of a day read its B buckets; readers of a month read the largest B of the month's days.
 * Agent-version partitions hold every tenant's traffic, so they always have VERSION_BUCKETS.
 */

/** At most this many buckets per account and day: the fan-out of one day's read. */
export const MAX_BUCKETS = 64;
/** Buckets of every (agent_version, day): each holds 1/16 of a release's agent turns of that day. */
export const VERSION_BUCKETS = 16;

export interface BucketEntry {
  /** 'YYYY-MM-DD' (UTC): the first day with this many buckets. */
  since: string;
  buckets: number;
}

/** An account's schedule, in any order. */
export type BucketSchedule = readonly BucketEntry[];

/** B of an account on a day: the latest entry on or before the day, else 1. */
export function bucketsOn(schedule: BucketSchedule, day: string): number {
  let best: BucketEntry | undefined;
  for (const e of schedule) if (e.since <= day && (!best || e.since > best.since)) best = e;
  return best?.buckets ?? 1;
}

/** The buckets a reader of a month ('YYYY-MM') reads: the largest B of the month's days. */
export function bucketsInMonth(schedule: BucketSchedule, month: string): number {
  let most = bucketsOn(schedule, `${month}-01`);
  for (const e of schedule) if (e.since.startsWith(month)) most = Math.max(most, e.buckets);
  return most;
}

/** FNV-1a, 32 bits, of the id's UTF-16 code units: stable across processes, releases and languages that follow it. */
function fnv1a(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The bucket of a row whose identity is `id` (a turn or session id) among `buckets`. */
export function bucketOfId(id: string, buckets: number): number {
  return buckets <= 1 ? 0 : fnv1a(id) % buckets;
}

/** Every bucket of a partition set: 0 .. buckets - 1. */
export const bucketRange = (buckets: number): number[] => Array.from({ length: buckets }, (_, i) => i);
