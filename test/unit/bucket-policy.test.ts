import { describe, expect, it } from 'vitest';
import {
  baseBuckets,
  bucketsFor,
  bucketsOn,
  MAX_BUCKETS,
  PARTITION_ROWS,
  VERSION_BUCKETS,
  versionOwner,
} from '../../src/schema/buckets.ts';
import { accountIdOf, datasetSchedules, generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { plannedSchedules } from '../../src/seed/schedules.ts';
import { projectedRows } from '../../src/store/bucket-policy.ts';

describe('the bucket policy', () => {
  it('picks the smallest power of two that keeps a partition at PARTITION_ROWS, up to MAX_BUCKETS', () => {
    expect(bucketsFor(0)).toBe(1);
    expect(bucketsFor(PARTITION_ROWS)).toBe(1);
    expect(bucketsFor(PARTITION_ROWS + 1)).toBe(2);
    expect(bucketsFor(5 * PARTITION_ROWS)).toBe(8);
    expect(bucketsFor(1e12)).toBe(MAX_BUCKETS);
    expect(bucketsFor(10, 4)).toBe(4);
    expect(bucketsFor(10, 1000)).toBe(MAX_BUCKETS);
  });

  it('projects a period from one bucket: the buckets alike, the rest of the period alike, at most 24 times', () => {
    expect(projectedRows(300, 2, 0.5)).toBe(1200);
    expect(projectedRows(10, 1, 0.001)).toBe(240);
    expect(projectedRows(10, 4, 1.5)).toBe(40);
  });

  it('keeps agent versions apart from accounts, starting at VERSION_BUCKETS', () => {
    expect(versionOwner('atlas-4.0.0')).toBe('@version:atlas-4.0.0');
    expect(baseBuckets(versionOwner('v1'))).toBe(VERSION_BUCKETS);
    expect(baseBuckets('acct_1')).toBe(1);
    expect(bucketsOn([], '2026-10-01', VERSION_BUCKETS)).toBe(VERSION_BUCKETS);
  });

  // Three tenants over four days: the biggest tenant's days need buckets, a small one's never do.
  const config: SeedConfig = { seed: 5, sessions: 700, accounts: 3, days: 4, endDate: '2026-10-15', churn: false };
  const models = [...generateSessions(config)];

  it('sizes a seeded history for each day it holds, raising B only, one entry per change', () => {
    const schedules = plannedSchedules(models);
    const big = accountIdOf(config, 0);
    const steps = new Map<string, number>();
    const turnDay = new Map(
      models.flatMap((m) => m.turns.map((t) => [t.turnId, t.createdAt.toISOString().slice(0, 10)])),
    );
    for (const m of models)
      for (const s of m.steps)
        if (s.accountId === big) steps.set(turnDay.get(s.turnId)!, (steps.get(turnDay.get(s.turnId)!) ?? 0) + 1);
    // The dataset needs the policy: unbucketed, a day of the biggest tenant passes the bound.
    expect(Math.max(...steps.values())).toBeGreaterThan(PARTITION_ROWS);
    const schedule = schedules.get(big)!;
    for (const [day, n] of steps) expect(n / bucketsOn(schedule, day)).toBeLessThanOrEqual(PARTITION_ROWS);
    const counts = schedule.map((e) => e.buckets);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    // The smallest tenant fits one partition a day: no schedule.
    expect(schedules.has(accountIdOf(config, 2))).toBe(false);
  });

  it('keeps the churn mode’s bucketed tenants as a floor', () => {
    const churned = datasetSchedules({ ...config, churn: true, sessions: 20 });
    expect(bucketsOn(churned.get(accountIdOf(config, 0))!, '2026-10-14')).toBeGreaterThanOrEqual(8);
  });
});
