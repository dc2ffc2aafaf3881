import { dayOf } from '../domain/model.ts';
import { StepType, type StepTypeName } from '../domain/step-types.ts';
import type { SessionModel } from '../seed/generator.ts';
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

/**
 * The expected answers, computed from the generator's model (never from a database). It holds
 * the models in memory: meant for the small datasets of tests and spot checks.
 */
export class AnalyticsTruth implements AnalyticsQueries {
  private readonly models: SessionModel[];

  constructor(models: Iterable<SessionModel>) {
    this.models = [...models];
  }

  /** Agent turns on the days (optionally of one account), each with its steps in idx order. */
  private *agentTurns(days: string[], accountId?: string) {
    const wanted = new Set(checkDays(days));
    for (const m of this.models) {
      if (accountId !== undefined && m.session.accountId !== accountId) continue;
      for (const t of m.turns) {
        if (t.role !== 'agent' || !wanted.has(dayOf(t.createdAt))) continue;
        yield { turn: t, steps: m.steps.filter((s) => s.turnId === t.turnId).sort((a, b) => a.idx - b.idx) };
      }
    }
  }

  async scoreHistogram(accountId: string, days: string[], label: string, buckets: number): Promise<ScoreBucket[]> {
    const out = emptyBuckets(checkBuckets(buckets));
    for (const { steps } of this.agentTurns(days, accountId)) {
      for (const s of steps) {
        if (s.type !== StepType.TurnClassifier) continue;
        const c = JSON.parse(s.content) as { label: string; score: number };
        if (c.label === label) out[bucketOf(c.score, buckets)]!.count++;
      }
    }
    return out;
  }

  async versionRegression(versions: string[], days: string[]): Promise<VersionStats[]> {
    checkVersions(versions);
    const byVersion = new Map<string, VersionTally>();
    for (const { turn, steps } of this.agentTurns(days)) {
      const v = turn.agentVersion ?? '';
      (byVersion.get(v) ?? byVersion.set(v, new VersionTally()).get(v)!).addTurn(
        steps.map((s) => ({ type: s.type, durationMs: s.durationMs, label: labelOfStep(s.type, s.content) })),
      );
    }
    return versions.map((v) => (byVersion.get(v) ?? new VersionTally()).stats(v));
  }

  async timeToFirstStep(accountId: string, days: string[], type: StepTypeName | null): Promise<Percentiles> {
    const want = checkStepTypeName(type);
    const gaps: number[] = [];
    for (const { turn, steps } of this.agentTurns(days, accountId)) {
      const first = steps.find((s) => want === null || s.type === want);
      if (first) gaps.push(first.createdAt.getTime() - turn.createdAt.getTime());
    }
    return percentilesOf(gaps.sort((a, b) => a - b));
  }
}
