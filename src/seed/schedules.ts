import { dayOf, monthOf } from '../domain/model.ts';
import { baseBuckets, bucketsFor, bucketsOn, versionOwner, type BucketSchedule } from '../schema/buckets.ts';
import type { SessionModel } from './generator.ts';

/**
 * The schedules the bucket policy (src/schema/buckets.ts) gives a seeded history: what the live
 * policy (src/store/bucket-policy.ts) aims at, with hindsight, since a bulk load knows each day's
 * traffic before writing it. Per owner and day, B is the policy's count for the most rows one of
 * the owner's partition sets gets: an account's day (its steps by their turn's day, its turns) and
 * its month (its sessions, read over the month's largest B, so every day of the month is sized for
 * them), a version's day (its agent turns). B never drops from one day to the next (the live
 * policy only raises), so a schedule has at most log2(MAX_BUCKETS) + 1 entries. `floor` raises
 * some owners further (the churn mode's bucketed tenants). Seeded in an empty keyspace only
 * (src/seed/seeder.ts), since these entries start in the past.
 */
export function plannedSchedules(
  models: Iterable<SessionModel>,
  floor: ReadonlyMap<string, BucketSchedule> = new Map(),
): Map<string, BucketSchedule> {
  const dayRows = new Map<string, Map<string, number>>();
  const monthSessions = new Map<string, number>();
  const add = (owner: string, day: string, n: number) => {
    const days = dayRows.get(owner) ?? dayRows.set(owner, new Map()).get(owner)!;
    days.set(day, Math.max(days.get(day) ?? 0, n));
  };
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const m of models) {
    const account = m.session.accountId;
    bump(`s\x1f${account}\x1f${monthOf(m.session.createdAt)}`);
    const turnDay = new Map(m.turns.map((t) => [t.turnId, dayOf(t.createdAt)]));
    for (const t of m.turns) {
      bump(`t\x1f${account}\x1f${turnDay.get(t.turnId)}`);
      if (t.agentVersion) bump(`t\x1f${versionOwner(t.agentVersion)}\x1f${turnDay.get(t.turnId)}`);
    }
    for (const s of m.steps) bump(`p\x1f${account}\x1f${turnDay.get(s.turnId)}`);
    add(account, dayOf(m.session.createdAt), 0);
  }
  for (const [key, n] of counts) {
    const [kind, owner, period] = key.split('\x1f') as [string, string, string];
    if (kind === 's') monthSessions.set(`${owner}\x1f${period}`, n);
    else add(owner, period, n);
  }
  for (const [owner, schedule] of floor) for (const e of schedule) add(owner, e.since, 0);

  const out = new Map<string, BucketSchedule>();
  for (const [owner, days] of dayRows) {
    const base = baseBuckets(owner);
    let current = base;
    const schedule = [];
    for (const day of [...days.keys()].sort()) {
      const rows = Math.max(days.get(day)!, monthSessions.get(`${owner}\x1f${day.slice(0, 7)}`) ?? 0);
      const b = Math.max(current, bucketsFor(rows, bucketsOn(floor.get(owner) ?? [], day, base)));
      if (b !== current) schedule.push({ since: day, buckets: b });
      current = b;
    }
    if (schedule.length) out.set(owner, schedule);
  }
  return out;
}
