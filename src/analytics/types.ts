import { nearestRank } from '../domain/queries.ts';
import { StepType, type StepTypeName } from '../domain/step-types.ts';

/**
 * Evaluation and analytics queries beyond the key ones, in the style of Langfuse (scores, latency
 * and cost per release) and Arize (score distributions, drift between model versions). Answered by
 * PostgreSQL (pg.ts), by the CQL write model (cql.ts) and by the generator's ground truth
 * (ground-truth.ts) with the same shapes and orders, so tests compare them with deep equality.
 * Every day bucket is the UTC day of the agent turn, as in the key queries.
 */

/** Classifier scores of one label in `buckets` equal-width buckets over [0, 1]; a score of 1 falls in the last. */
export interface ScoreBucket {
  lo: number;
  hi: number;
  count: number;
}

/** Nearest-rank percentiles, like the key query A3. */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

interface VersionLabel {
  label: string;
  count: number;
  /** count / the version's classified steps. */
  fraction: number;
}

/** One agent version over the requested days, all accounts: what a release regression report compares. */
export interface VersionStats {
  agentVersion: string;
  turns: number;
  steps: number;
  /** Step latency (duration_ms) over all the version's steps. */
  meanStepMs: number;
  stepMs: Percentiles;
  /** Share of the version's agent turns that asked the human for input (an InputRequest step). */
  inputRequestRate: number;
  /** Alphabetical. */
  labels: VersionLabel[];
}

export interface AnalyticsQueries {
  /** An account's classifier verdicts with this label on these days, bucketed by score. */
  scoreHistogram(accountId: string, days: string[], label: string, buckets: number): Promise<ScoreBucket[]>;
  /**
   * The requested agent versions (in the order given; zeros for one without turns) over these days,
   * all accounts. Versions are named by the caller, as a release comparison does: a CQL store cannot
   * list its partition keys without a full scan.
   */
  versionRegression(versions: string[], days: string[]): Promise<VersionStats[]>;
  /**
   * Agent turn created_at -> its first step (of `type`, or of any type when null), in ms, over an
   * account's agent turns on these days that have such a step.
   */
  timeToFirstStep(accountId: string, days: string[], type: StepTypeName | null): Promise<Percentiles>;
}

export const MAX_BUCKETS = 100;

export function bucketOf(score: number, buckets: number): number {
  return Math.min(buckets - 1, Math.floor(score * buckets));
}

const f64 = new Float64Array(1);
const bits = new BigInt64Array(f64.buffer);
/** The neighbouring double of a positive finite x (by = 1n up, -1n down). */
function adjacent(x: number, by: 1n | -1n): number {
  f64[0] = x;
  bits[0]! += by;
  return f64[0]!;
}

/**
 * bucketOf()'s buckets as score ranges, exact to the last bit, for stores that count a range (Redis
 * ZCOUNT) instead of bucketing each score: element i is the smallest double s with bucketOf(s) >= i
 * (element 0 is -Infinity). i / buckets itself can fall on either side, since the product is rounded
 * (0.29 * 100 = 28.999999999999996, bucket 28), so the bound is moved to the exact neighbour; that
 * bound exists because floor(s * buckets) never decreases as s grows.
 */
export function bucketLowerBounds(buckets: number): number[] {
  const out = [-Infinity];
  for (let i = 1; i < buckets; i++) {
    let s = i / buckets;
    while (bucketOf(adjacent(s, -1n), buckets) >= i) s = adjacent(s, -1n);
    while (bucketOf(s, buckets) < i) s = adjacent(s, 1n);
    out.push(s);
  }
  return out;
}

export function emptyBuckets(buckets: number): ScoreBucket[] {
  return Array.from({ length: buckets }, (_, i) => ({ lo: i / buckets, hi: (i + 1) / buckets, count: 0 }));
}

export function percentilesOf(sortedAsc: readonly number[]): Percentiles {
  const at = (p: number) => nearestRank(sortedAsc, p);
  return { count: sortedAsc.length, p50: at(50), p90: at(90), p99: at(99), max: sortedAsc[sortedAsc.length - 1] ?? 0 };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Builds a version's stats from its raw figures; every store divides here, so all agree to the last bit. */
export function versionStats(
  agentVersion: string,
  turns: number,
  durationsAsc: number[],
  durationSum: number,
  askingTurns: number,
  labelCounts: Map<string, number>,
): VersionStats {
  const classified = [...labelCounts.values()].reduce((n, c) => n + c, 0);
  return {
    agentVersion,
    turns,
    steps: durationsAsc.length,
    meanStepMs: durationsAsc.length ? durationSum / durationsAsc.length : 0,
    stepMs: percentilesOf(durationsAsc),
    inputRequestRate: turns ? askingTurns / turns : 0,
    labels: [...labelCounts.keys()]
      .sort(compareText)
      .map((label) => ({ label, count: labelCounts.get(label)!, fraction: labelCounts.get(label)! / classified })),
  };
}

/** One step as a version report counts it: its type, its latency and, for a classifier verdict, the label. */
export interface TalliedStep {
  type: StepType;
  durationMs: number;
  label: string | null;
}

/** Accumulates one version's turns, each with its steps, into the figures versionStats() divides. */
export class VersionTally {
  private turns = 0;
  private asking = 0;
  private sum = 0;
  private readonly durations: number[] = [];
  private readonly labels = new Map<string, number>();

  addTurn(steps: Iterable<TalliedStep>): void {
    this.turns++;
    let asks = false;
    for (const s of steps) {
      this.durations.push(s.durationMs);
      this.sum += s.durationMs;
      if (s.type === StepType.InputRequest) asks = true;
      if (s.label !== null) this.labels.set(s.label, (this.labels.get(s.label) ?? 0) + 1);
    }
    if (asks) this.asking++;
  }

  stats(agentVersion: string): VersionStats {
    return versionStats(
      agentVersion,
      this.turns,
      this.durations.sort((a, b) => a - b),
      this.sum,
      this.asking,
      this.labels,
    );
  }
}

/** The classifier label of a step's content, null for other step types. */
export const labelOfStep = (type: StepType, content: string): string | null =>
  type === StepType.TurnClassifier ? (JSON.parse(content) as { label: string }).label : null;
