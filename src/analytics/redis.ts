import { STEP_TYPES, type StepType, type StepTypeName } from '../domain/step-types.ts';
import type { Redis } from '../clients/redis.ts';
import { LiveKeys } from '../readmodels/generation.ts';
import { SEP } from '../readmodels/keys.ts';
import { forEachBounded } from '../util/bounded.ts';
import { checkBuckets, checkDays, checkStepTypeName, checkVersions } from './checks.ts';
import {
  bucketLowerBounds,
  emptyBuckets,
  percentilesOf,
  VersionTally,
  type AnalyticsQueries,
  type Percentiles,
  type ScoreBucket,
  type VersionStats,
} from './types.ts';

/** Per-turn reads in flight for the version report (node-redis pipelines them). */
const FAN_OUT = 256;

/**
 * The analytics queries over the projector's read models (src/readmodels/keys.ts):
 * - scoreHistogram: one ZCOUNT per bucket and day on the E1 score zsets, over bounds that reproduce
 *   bucketOf() bit for bit (bucketLowerBounds), so no score is transferred.
 * - timeToFirstStep: the step-offset zsets of the account's days (one per type, or all types for
 *   null), reduced to each turn's lowest idx: no per-turn reads.
 * - versionRegression: the E3 version sets, then each turn's compact step metrics (`sm:<turn>`): a
 *   fan-out of one pipelined read per turn, because a step row does not carry its turn's version
 *   (docs/read-side.md, "Analytics read models", says why and what would remove it).
 */
export class RedisAnalytics implements AnalyticsQueries {
  private readonly live: LiveKeys;

  constructor(
    private readonly redis: Redis,
    base: string,
    refreshMs = 1000,
  ) {
    this.live = new LiveKeys(redis, base, refreshMs);
  }

  async scoreHistogram(accountId: string, days: string[], label: string, buckets: number): Promise<ScoreBucket[]> {
    const out = emptyBuckets(checkBuckets(buckets));
    const checked = checkDays(days);
    const k = await this.live.get();
    const lows = bucketLowerBounds(buckets);
    const bound = (i: number, exclusive: boolean) =>
      i === 0 ? '-inf' : i === buckets ? '+inf' : `${exclusive ? '(' : ''}${lows[i]}`;
    const counts = await Promise.all(
      checked.flatMap((d) =>
        out.map((_, i) => this.redis.zCount(k.labelScores(accountId, d, label), bound(i, false), bound(i + 1, true))),
      ),
    );
    counts.forEach((n, j) => {
      out[j % buckets]!.count += n;
    });
    return out;
  }

  async versionRegression(versions: string[], days: string[]): Promise<VersionStats[]> {
    checkVersions(versions);
    const checked = checkDays(days);
    const k = await this.live.get();
    const out: VersionStats[] = [];
    for (const v of versions) {
      const turns = (await Promise.all(checked.map((d) => this.redis.sMembers(k.agentVersion(v, d))))).flat();
      const tally = new VersionTally();
      await forEachBounded(turns, FAN_OUT, async (turnId) => {
        tally.addTurn(
          (await this.redis.hVals(k.stepMetrics(turnId))).map((m) => {
            const [type, durationMs, label] = JSON.parse(m) as [StepType, number, string | null];
            return { type, durationMs, label };
          }),
        );
      });
      out.push(tally.stats(v));
    }
    return out;
  }

  async timeToFirstStep(accountId: string, days: string[], type: StepTypeName | null): Promise<Percentiles> {
    const want = checkStepTypeName(type);
    const checked = checkDays(days);
    const k = await this.live.get();
    const types = want === null ? STEP_TYPES : [want];
    const lists = await Promise.all(
      checked.flatMap((d) => types.map((t) => this.redis.zRangeWithScores(k.stepOffsets(accountId, d, t), 0, -1))),
    );
    const first = new Map<string, { idx: number; ms: number }>();
    for (const m of lists.flat()) {
      const [turnId, idx] = m.value.split(SEP) as [string, string];
      const seen = first.get(turnId);
      if (!seen || Number(idx) < seen.idx) first.set(turnId, { idx: Number(idx), ms: m.score });
    }
    return percentilesOf([...first.values()].map((f) => f.ms).sort((a, b) => a - b));
  }
}
