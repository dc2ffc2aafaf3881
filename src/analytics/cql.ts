import { allRows, type CqlExecutor } from '../cql/executor.ts';
import { StepType, type StepTypeName } from '../domain/step-types.ts';
import { versionOwner } from '../schema/buckets.ts';
import { BucketSchedules } from '../store/buckets.ts';
import { select } from '../store/statements.ts';
import { forEachBounded } from '../util/bounded.ts';
import { checkBuckets, checkDays, checkStepTypeName, checkVersions } from './checks.ts';
import {
  bucketOf,
  emptyBuckets,
  labelOfStep,
  percentilesOf,
  VersionTally,
  type AnalyticsQueries,
  type Percentiles,
  type ScoreBucket,
  type VersionStats,
} from './types.ts';

/** Per-turn reads in flight: the fan-out of version and time-to-first-step reports. */
const FAN_OUT = 32;

/**
 * The analytics queries over the existing CQL tables (no new table, no ALLOW FILTERING), each day
 * read through its buckets (src/schema/buckets.ts):
 * - scoreHistogram: the day's step rows (steps_by_account_day_bucket), classifier verdicts of the
 *   label bucketed here; a rewritten verdict counts once, with its last score.
 * - versionRegression: agent_turns_by_version_day_bucket per (version, day, bucket), then each
 *   turn's steps_by_turn partition: a fan-out of one read per turn. Fine for a report; at scale a
 *   steps_by_version_day table removes it (the proposed migration is in docs/postgres-baseline.md).
 * - timeToFirstStep: the agent rows of turns_by_account_day_bucket (a role slice), then each turn's
 *   steps_by_turn partition: the same fan-out, bounded by an account's turns per day.
 */
export class CqlAnalytics implements AnalyticsQueries {
  private readonly schedules: BucketSchedules;

  constructor(
    private readonly exec: CqlExecutor,
    private readonly ks: string,
  ) {
    this.schedules = new BucketSchedules(exec, ks);
  }

  async scoreHistogram(accountId: string, days: string[], label: string, buckets: number): Promise<ScoreBucket[]> {
    const out = emptyBuckets(checkBuckets(buckets));
    for (const { day, bucket } of await this.schedules.dayPartitions(accountId, checkDays(days))) {
      for await (const r of allRows(
        this.exec,
        select(
          this.ks,
          'steps_by_account_day_bucket',
          ['step_type', 'label', 'score'],
          'account_id = ? AND day = ? AND bucket = ?',
          [accountId, day, bucket],
        ),
        5000,
      )) {
        if (r.step_type === StepType.TurnClassifier && r.label === label) out[bucketOf(r.score!, buckets)]!.count++;
      }
    }
    return out;
  }

  private async stepsOf<C extends 'step_type' | 'duration_ms' | 'content' | 'created_at'>(
    turnId: string,
    columns: C[],
  ) {
    return (
      await this.exec.run(select(this.ks, 'steps_by_turn', columns, 'turn_id = ?', [turnId]), { fetchSize: 1000 })
    ).rows;
  }

  async versionRegression(versions: string[], days: string[]): Promise<VersionStats[]> {
    checkVersions(versions);
    checkDays(days);
    const out: VersionStats[] = [];
    for (const v of versions) {
      const turns: string[] = [];
      for (const { day, bucket } of await this.schedules.dayPartitions(versionOwner(v), days)) {
        for await (const r of allRows(
          this.exec,
          select(
            this.ks,
            'agent_turns_by_version_day_bucket',
            ['turn_id'],
            'agent_version = ? AND day = ? AND bucket = ?',
            [v, day, bucket],
          ),
        ))
          turns.push(r.turn_id);
      }
      const tally = new VersionTally();
      await forEachBounded(turns, FAN_OUT, async (turnId) => {
        tally.addTurn(
          (await this.stepsOf(turnId, ['step_type', 'duration_ms', 'content'])).map((s) => {
            const type = s.step_type!;
            return { type, durationMs: s.duration_ms!, label: labelOfStep(type, s.content!) };
          }),
        );
      });
      out.push(tally.stats(v));
    }
    return out;
  }

  async timeToFirstStep(accountId: string, days: string[], type: StepTypeName | null): Promise<Percentiles> {
    const want = checkStepTypeName(type);
    const turns: { turnId: string; at: number }[] = [];
    for (const { day, bucket } of await this.schedules.dayPartitions(accountId, checkDays(days))) {
      for await (const r of allRows(
        this.exec,
        select(
          this.ks,
          'turns_by_account_day_bucket',
          ['turn_id', 'created_at'],
          "account_id = ? AND day = ? AND bucket = ? AND role = 'agent'",
          [accountId, day, bucket],
        ),
      )) {
        turns.push({ turnId: r.turn_id, at: r.created_at.getTime() });
      }
    }
    const gaps: number[] = [];
    await forEachBounded(turns, FAN_OUT, async (t) => {
      // Rows come in idx order (the clustering key), so the first match is the first step.
      const first = (await this.stepsOf(t.turnId, ['step_type', 'created_at'])).find(
        (s) => want === null || s.step_type === want,
      );
      if (first) gaps.push(first.created_at!.getTime() - t.at);
    });
    return percentilesOf(gaps.sort((a, b) => a - b));
  }
}
