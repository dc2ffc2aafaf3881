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
 *
 * Schedules belong to owners: an account (its account-day and account-month partitions) or an agent
 * version (its version-day partitions, every tenant's traffic), whose schedule is kept under
 * versionOwner(version) and starts at VERSION_BUCKETS. No one sets B by hand: the policy
 * (bucketsFor) picks the smallest power of two that keeps a partition at PARTITION_ROWS rows for the
 * traffic expected, up to MAX_BUCKETS, and only ever raises it (src/store/bucket-policy.ts live,
 * src/seed/schedules.ts for a seeded history).
 */

/** At most this many buckets per account and day: the fan-out of one day's read. */
export const MAX_BUCKETS = 64;
/** Buckets of an (agent_version, day) before its schedule raises them (migration 4 wrote its rows with 16). */
export const VERSION_BUCKETS = 16;
/** The rows a bucketed partition is sized for: the policy splits a day (or month) before its buckets pass it. */
export const PARTITION_ROWS = 1_000;

/** The schedule key of an agent version: ids start with a letter or digit (checkId), so it is never an account's. */
export const versionOwner = (agentVersion: string): string => `@version:${agentVersion}`;

/** B of an owner with no schedule entry for a day. */
export const baseBuckets = (owner: string): number => (owner.startsWith('@version:') ? VERSION_BUCKETS : 1);

/**
 * The policy: the buckets that keep `rows` (a day's or month's expected rows of one owner) at
 * PARTITION_ROWS per partition, a power of two (so raising B splits each bucket's hash range), at
 * least `floor`, at most MAX_BUCKETS.
 */
export function bucketsFor(rows: number, floor = 1): number {
  let b = 1;
  while (b < MAX_BUCKETS && rows > b * PARTITION_ROWS) b *= 2;
  return Math.max(b, Math.min(floor, MAX_BUCKETS));
}

export interface BucketEntry {
  /** 'YYYY-MM-DD' (UTC): the first day with this many buckets. */
  since: string;
  buckets: number;
}

/** An account's schedule, in any order. */
export type BucketSchedule = readonly BucketEntry[];

/** B of an owner on a day: the latest entry on or before the day, else `base` (baseBuckets). */
export function bucketsOn(schedule: BucketSchedule, day: string, base = 1): number {
  let best: BucketEntry | undefined;
  for (const e of schedule) if (e.since <= day && (!best || e.since > best.since)) best = e;
  return best?.buckets ?? base;
}

/** The buckets a reader of an account's month ('YYYY-MM') reads: the largest B of the month's days. */
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

/** open_sessions_by_shard spreads the open sessions over this many partitions (migration 6). */
export const OPEN_SESSION_SHARDS = 16;
export const shardOf = (sessionId: string): number => bucketOfId(sessionId, OPEN_SESSION_SHARDS);
