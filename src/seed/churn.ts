import { StepType } from '../domain/step-types.ts';
import type { BucketSchedule } from '../schema/buckets.ts';
import { buildStep, type BuiltStep, type Exchange } from './content.ts';
import type { Label } from './phrases.ts';
import type { Rng } from './rng.ts';

/**
 * The churn mode of the generator (on unless SeedConfig.churn is false): the traffic that breaks a
 * write model keyed by values instead of identities, or ordered by arrival instead of time.
 * - Steps are rewritten under the same (turn, idx): a re-measured duration, new content, a re-run
 *   classifier (new label and score), another type (an InputRequest withdrawn, a Text turned
 *   into a question, a language detection replaced by a classifier verdict).
 * - InputRequests are asked more often and answered at once (the reply races its pending row),
 *   or the answer is regenerated away before the human replies.
 * - The biggest tenants get bucketed partitions, one of them changing its bucket count mid-window,
 *   so readers that miss a bucket, or a day's own bucket count, read wrong answers.
 * The generator calls these with its own stream, reseeded per session, so churn-off datasets stay
 * exactly what they were.
 */

/** A later version of a step: it replaces the previous one `delayMs` after it was written. */
export interface Rewrite {
  step: BuiltStep;
  delayMs: number;
}

export const CHURN = {
  /** InputRequest share of substantive agent turns (8.5% without churn). */
  askRate: 0.2,
  /** An asking answer is regenerated before the human replies. */
  regenerateAsking: 0.35,
  /** An agent turn gets rewrites; of those, some get a second rewritten step, and a version a second rewrite. */
  rewriteTurn: 0.25,
  secondStep: 0.3,
  secondVersion: 0.2,
} as const;

/** The type a rewritten step ends up with (usually its own). */
function rewrittenType(type: StepType, rng: Rng): StepType {
  switch (type) {
    case StepType.InputRequest:
      return rng.chance(0.5) ? StepType.Text : StepType.InputRequest;
    case StepType.Text:
      return rng.chance(0.25) ? StepType.InputRequest : StepType.Text;
    case StepType.LangDetection:
      return rng.chance(0.3) ? StepType.TurnClassifier : StepType.LangDetection;
    case StepType.Think:
      return rng.chance(0.3) ? StepType.Text : StepType.Think;
    default:
      return type;
  }
}

/** A new version of `s`: for most tool steps only the re-measured duration, else rebuilt content too. */
function nextVersion(
  s: BuiltStep,
  x: Exchange,
  extra: { labels: readonly Label[]; promptLength: number },
  rng: Rng,
): BuiltStep {
  const type = rewrittenType(s.type, rng);
  const rebuild =
    type !== s.type || [StepType.Text, StepType.Think, StepType.TurnClassifier].includes(type) || rng.chance(0.3);
  if (!rebuild) return { ...s, durationMs: Math.max(1, Math.round(s.durationMs * (0.4 + rng.next() * 2))) };
  return buildStep(type, x, extra);
}

/** The rewrites of one agent turn's steps, per idx (empty for a step never rewritten). */
export function rewritesOf(
  steps: readonly BuiltStep[],
  x: Exchange,
  extra: { labels: readonly Label[]; promptLength: number },
  rng: Rng,
): Rewrite[][] {
  const out: Rewrite[][] = steps.map(() => []);
  if (!steps.length || !rng.chance(CHURN.rewriteTurn)) return out;
  const picked = new Set([rng.int(0, steps.length - 1)]);
  if (rng.chance(CHURN.secondStep)) picked.add(rng.int(0, steps.length - 1));
  for (const idx of picked) {
    let current = steps[idx]!;
    for (let v = 0; v === 0 || (v < 2 && rng.chance(CHURN.secondVersion)); v++) {
      current = nextVersion(current, x, extra, rng);
      out[idx]!.push({ step: current, delayMs: Math.round(rng.lognormal(1500, 1, 50, 120_000)) });
    }
  }
  return out;
}

/**
 * The bucketing schedules of a churn dataset: the most active account splits its days into 4
 * buckets from the first day and 8 from the middle of the window; the second into 2 from a third
 * of the way in. The seeder writes them before any row (src/seed/seeder.ts).
 */
export function churnSchedules(
  accountIdOf: (rank: number) => string,
  windowDays: readonly string[],
): Map<string, BucketSchedule> {
  const at = (share: number) => windowDays[Math.min(windowDays.length - 1, Math.floor(windowDays.length * share))]!;
  return new Map([
    [
      accountIdOf(0),
      [
        { since: windowDays[0]!, buckets: 4 },
        { since: at(0.5), buckets: 8 },
      ],
    ],
    [accountIdOf(1), [{ since: at(1 / 3), buckets: 2 }]],
  ]);
}
