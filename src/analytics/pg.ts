import type pg from 'pg';
import type { StepTypeName } from '../domain/step-types.ts';
import { checkBuckets, checkDays, checkStepTypeName, checkVersions } from './checks.ts';
import {
  emptyBuckets,
  versionStats,
  type AnalyticsQueries,
  type Percentiles,
  type ScoreBucket,
  type VersionStats,
} from './types.ts';

const DAY_MS = 86_400_000;
/** $2, $3, $4 (or $1, $2, $3 with shift): the time range covering the days, and the days themselves. */
function dayParams(days: string[]): [Date, Date, string[]] {
  const sorted = [...checkDays(days)].sort();
  return [
    new Date(`${sorted[0]}T00:00:00Z`),
    new Date(Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`) + DAY_MS),
    days,
  ];
}

const ACCOUNT_TURNS = `SELECT a.uid, a.created_at FROM sessions s JOIN agent_turns a ON a.session_uid = s.uid
  WHERE s.account_uid = $1 AND a.created_at >= $2 AND a.created_at < $3 AND (a.created_at AT TIME ZONE 'UTC')::date = ANY($4::date[])`;

/** Same bucket rule as bucketOf(): floor(score * buckets), a score of 1 kept in the last bucket. */
const HISTOGRAM = `WITH t AS (${ACCOUNT_TURNS}), v AS (
    SELECT (st.content::jsonb ->> 'score')::float8 AS score FROM t JOIN steps st ON st.agent_turn_uid = t.uid
    WHERE st.tpe = 11 AND st.content::jsonb ->> 'label' = $5)
  SELECT least($6::int - 1, floor(score * $6::int))::int AS bucket, count(*)::int AS n FROM v GROUP BY 1`;

/** Per version: turns, asking turns, step latency (sum, count, nearest-rank percentiles via percentile_disc). */
const VERSION_STEPS = `WITH t AS (
    SELECT uid, agent_version FROM agent_turns
    WHERE agent_version = ANY($4::text[]) AND created_at >= $1 AND created_at < $2 AND (created_at AT TIME ZONE 'UTC')::date = ANY($3::date[]))
  SELECT t.agent_version, count(DISTINCT t.uid)::int AS turns,
    count(DISTINCT t.uid) FILTER (WHERE st.tpe = 10)::int AS asking,
    count(st.idx)::int AS steps, coalesce(sum(st.duration_ms), 0)::bigint AS sum_ms,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY st.duration_ms) AS p50,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY st.duration_ms) AS p90,
    percentile_disc(0.99) WITHIN GROUP (ORDER BY st.duration_ms) AS p99,
    max(st.duration_ms) AS max
  FROM t LEFT JOIN steps st ON st.agent_turn_uid = t.uid GROUP BY t.agent_version`;

const VERSION_LABELS = `SELECT a.agent_version, st.content::jsonb ->> 'label' AS label, count(*)::int AS n
  FROM agent_turns a JOIN steps st ON st.agent_turn_uid = a.uid AND st.tpe = 11
  WHERE a.agent_version = ANY($4::text[]) AND a.created_at >= $1 AND a.created_at < $2 AND (a.created_at AT TIME ZONE 'UTC')::date = ANY($3::date[])
  GROUP BY 1, 2`;

/** The first step (of the type, when given) per turn, then nearest-rank percentiles of the gaps. */
const TIME_TO_FIRST_STEP = `WITH t AS (${ACCOUNT_TURNS}), g AS (
    SELECT (extract(epoch FROM (f.created_at - t.created_at)) * 1000)::bigint AS ms
    FROM t CROSS JOIN LATERAL (
      SELECT created_at FROM steps WHERE agent_turn_uid = t.uid AND ($5::int IS NULL OR tpe = $5::int) ORDER BY idx LIMIT 1) f)
  SELECT count(*)::int AS n,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY ms) AS p90,
    percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max FROM g`;

export class PgAnalytics implements AnalyticsQueries {
  constructor(private readonly pool: pg.Pool) {}

  async scoreHistogram(accountId: string, days: string[], label: string, buckets: number): Promise<ScoreBucket[]> {
    const out = emptyBuckets(checkBuckets(buckets));
    const rows = (await this.pool.query(HISTOGRAM, [accountId, ...dayParams(days), label, buckets])).rows;
    for (const r of rows) out[r.bucket]!.count = r.n;
    return out;
  }

  async versionRegression(versions: string[], days: string[]): Promise<VersionStats[]> {
    const params = [...dayParams(days), checkVersions(versions)];
    const [steps, labels] = await Promise.all([
      this.pool.query(VERSION_STEPS, params),
      this.pool.query(VERSION_LABELS, params),
    ]);
    const labelsOf = new Map<string, Map<string, number>>();
    for (const r of labels.rows)
      (labelsOf.get(r.agent_version) ?? labelsOf.set(r.agent_version, new Map()).get(r.agent_version)!).set(
        r.label,
        r.n,
      );
    const byVersion = new Map(steps.rows.map((r) => [r.agent_version as string, r]));
    return versions.map((v) => {
      const r = byVersion.get(v) ?? {
        agent_version: v,
        turns: 0,
        asking: 0,
        steps: 0,
        sum_ms: 0,
        p50: 0,
        p90: 0,
        p99: 0,
        max: 0,
      };
      const s = versionStats(
        r.agent_version,
        r.turns,
        [],
        Number(r.sum_ms),
        r.asking,
        labelsOf.get(r.agent_version) ?? new Map(),
      );
      const count = r.steps as number;
      return {
        ...s,
        steps: count,
        meanStepMs: count ? Number(r.sum_ms) / count : 0,
        stepMs: { count, p50: r.p50 ?? 0, p90: r.p90 ?? 0, p99: r.p99 ?? 0, max: r.max ?? 0 },
      };
    });
  }

  async timeToFirstStep(accountId: string, days: string[], type: StepTypeName | null): Promise<Percentiles> {
    const want = checkStepTypeName(type);
    const r = (await this.pool.query(TIME_TO_FIRST_STEP, [accountId, ...dayParams(days), want])).rows[0];
    const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
    return { count: r.n, p50: num(r.p50), p90: num(r.p90), p99: num(r.p99), max: num(r.max) };
  }
}
