import type pg from 'pg';
import type { CqlExecutor } from '../cql/executor.ts';
import type { Role } from '../domain/model.ts';
import { CqlQueries } from '../store/queries.ts';
import { checksFor, type CheckSample } from '../verify/checks.ts';
import { compareAnswers, type VerifyReport } from '../verify/verify.ts';
import { PgQueries } from './queries.ts';

/**
 * The dual-run gate of the migration path (docs/postgres-baseline.md): the key queries asked of
 * PostgreSQL (the source of truth until cutover) and of the CQL store, answer for answer, on a sample
 * of production data. There is no generator here, so the sample is read from PostgreSQL itself.
 */

export interface CompareOptions {
  /** Sessions to sample (all of them when the table holds fewer). */
  samples: number;
  /** Accounts to check, taken from the sampled sessions, most frequent first. */
  accountSamples: number;
  /** Days each day-bucketed query covers, ending with the newest day of the account (or version). */
  days: number;
  /** Seed of the sampling: the same seed on unchanged tables samples the same sessions. */
  seed: number;
}

const DAY_MS = 86_400_000;
const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
const windowEnding = (last: Date, days: number): string[] =>
  Array.from({ length: days }, (_, i) =>
    dayOf(new Date(Date.parse(`${dayOf(last)}T00:00:00Z`) - (days - 1 - i) * DAY_MS)),
  );

// BERNOULLI visits every page but keeps each row with the given chance, so the sample is spread over
// the whole table (SYSTEM would keep whole pages: neighbours in insertion time). Ordering the sampled
// rows by a hash keeps the choice independent of the physical order.
const SAMPLE_SESSIONS = `SELECT uid, account_uid FROM sessions TABLESAMPLE BERNOULLI ($1::float4) REPEATABLE ($2::float8)
  ORDER BY md5(uid), uid LIMIT $3`;
const TURNS_OF = `SELECT session_uid, uid, 'human' AS role, parent_uid, created_at, NULL AS agent_version FROM human_turns WHERE session_uid = ANY($1::text[])
  UNION ALL SELECT session_uid, uid, 'agent', parent_uid, created_at, agent_version FROM agent_turns WHERE session_uid = ANY($1::text[])
  ORDER BY session_uid, created_at, uid`;
const ACCOUNT_SPANS = `SELECT s.account_uid, greatest(max(s.created_at), max(a.created_at)) AS newest
  FROM sessions s LEFT JOIN agent_turns a ON a.session_uid = s.uid WHERE s.account_uid = ANY($1::text[]) GROUP BY 1`;
/** Served backwards by the (agent_version, created_at) index. */
const VERSION_NEWEST = `SELECT max(created_at) AS newest FROM agent_turns WHERE agent_version = $1`;
const ANY_VERSION = `SELECT agent_version FROM agent_turns WHERE agent_version IS NOT NULL LIMIT 1`;

export async function samplePg(pool: pg.Pool, opts: CompareOptions): Promise<CheckSample> {
  const estimate = Number(
    (await pool.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'sessions'::regclass`)).rows[0].n,
  );
  // Four times the wanted rows, so the LIMIT rarely runs short; the estimate is -1 before the first ANALYZE.
  const percent = estimate > 0 ? Math.min(100, (400 * opts.samples) / estimate) : 100;
  const picked = (await pool.query(SAMPLE_SESSIONS, [percent, opts.seed, opts.samples])).rows as {
    uid: string;
    account_uid: string;
  }[];

  const turns = (await pool.query(TURNS_OF, [picked.map((r) => r.uid)])).rows as {
    session_uid: string;
    uid: string;
    role: Role;
    parent_uid: string | null;
    agent_version: string | null;
  }[];
  const bySession = new Map(picked.map((r) => [r.uid, [] as CheckSample['sessions'][number]['turns']]));
  for (const t of turns) bySession.get(t.session_uid)!.push({ turnId: t.uid, role: t.role, parentId: t.parent_uid });

  const frequency = new Map<string, number>();
  for (const r of picked) frequency.set(r.account_uid, (frequency.get(r.account_uid) ?? 0) + 1);
  const accountIds = [...frequency]
    .sort(([a, n], [b, m]) => m - n || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, opts.accountSamples)
    .map(([a]) => a);
  const spans = (await pool.query(ACCOUNT_SPANS, [accountIds])).rows as { account_uid: string; newest: Date }[];
  const spanOf = new Map(spans.map((s) => [s.account_uid, s]));

  let versionNames = [...new Set(turns.map((t) => t.agent_version).filter((v): v is string => !!v))].sort();
  if (!versionNames.length) versionNames = (await pool.query(ANY_VERSION)).rows.map((r) => r.agent_version as string);
  const versions = await Promise.all(
    versionNames.map(async (version) => {
      const newest = (await pool.query(VERSION_NEWEST, [version])).rows[0].newest as Date;
      return { version, days: windowEnding(newest, opts.days) };
    }),
  );

  return {
    sessions: picked.map((r) => ({ sessionId: r.uid, turns: bySession.get(r.uid)! })),
    accounts: accountIds.map((accountId) => ({
      accountId,
      days: windowEnding(spanOf.get(accountId)!.newest, opts.days),
    })),
    versions,
  };
}

/** Samples PostgreSQL, then asks every key query of both stores; `expected` in the report is PostgreSQL. */
export async function comparePgWithCql(
  pool: pg.Pool,
  exec: CqlExecutor,
  keyspace: string,
  opts: CompareOptions,
  progress: { onSample?: (s: CheckSample) => void; onCheck?: (done: number, total: number) => void } = {},
): Promise<VerifyReport & { sample: CheckSample }> {
  const sample = await samplePg(pool, opts);
  progress.onSample?.(sample);
  const cql = new CqlQueries(exec, keyspace);
  const report = await compareAnswers(checksFor(sample), new PgQueries(pool), cql, progress.onCheck);
  return { ...report, sample };
}
