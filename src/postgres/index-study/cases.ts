import { AGENT_VERSIONS, generateSession, windowDays, type SeedConfig } from '../../seed/generator.ts';
import * as Q from '../sql.ts';
import type { AccountStratum, AccountStratumName } from './strata.ts';
import { variantIndexes } from './variants.ts';

/**
 * What the study measures: each key query (and three cross-account analytics queries the
 * specialised indexes are for), with the indexes that serve it and realistic parameters drawn
 * from the same generator that loaded the data.
 */
export interface StudyCase {
  id: string;
  title: string;
  sql: string;
  /** Rotated through the timed calls; the first of each stratum is EXPLAINed. */
  params: ParamSet[];
  /** Candidate indexes (configs.ts CANDIDATES) that may serve it; empty: the baseline's keys do. */
  indexes: string[];
  /** Calls per 1,000 requests of the assumed workload (WEIGHTS). */
  weight: number;
}

/**
 * Parameters and the population they come from: account queries are reported per account-size
 * stratum (strata.ts: small, median and large accounts by their session count), so a median of
 * small accounts and a tail of the biggest are never mixed in one figure.
 */
export interface ParamSet {
  values: unknown[];
  stratum: AccountStratumName | 'all';
}

/**
 * The assumed request mix, calls per 1,000 requests: opening a conversation (P1, P3, P5) and the
 * session list (P2) dominate; dashboards (A*, E*) and the operations views (G*, T1) are rare. An
 * assumption, stated so that the cost/benefit rule can be re-run with another mix; the writes
 * that pay for every index are WRITE_ROWS_PER_1000 below.
 */
const WEIGHTS: Record<string, number> = {
  P1: 250,
  P2: 100,
  P3: 250,
  P4: 10,
  P5: 100,
  A1: 2,
  A2: 5,
  A3: 2,
  A5: 20,
  A6: 2,
  E1: 1,
  E2: 2,
  E3: 1,
  E3d: 1,
  G5: 5,
  G1: 1,
  T1: 1,
};

/** Rows inserted per 1,000 requests (sessions, turns and steps in the generator's mix): steps are written far more often than read. */
export const WRITE_ROWS_PER_1000 = 2000;

const G5_PENDING_ALL = `SELECT a.session_uid, st.agent_turn_uid, st.created_at FROM steps st JOIN agent_turns a ON a.uid = st.agent_turn_uid
  WHERE st.tpe = 10 AND NOT EXISTS (SELECT 1 FROM human_turns h WHERE h.parent_uid = st.agent_turn_uid)
  ORDER BY st.created_at LIMIT 100`;

const G1_LABEL_ALL = `SELECT agent_turn_uid, idx, (content::jsonb ->> 'score')::float8 AS score FROM steps
  WHERE tpe = 11 AND (content::jsonb ->> 'label') = $1 AND ((content::jsonb ->> 'score')::float8) >= $2
  ORDER BY ((content::jsonb ->> 'score')::float8) DESC LIMIT 100`;

const T1_WINDOW_MIX = `SELECT tpe, count(*)::int AS n FROM steps WHERE created_at >= $1 AND created_at < $2 GROUP BY tpe ORDER BY tpe`;

const SESSION = ['human_turns_session', 'agent_turns_session'];
const ACCOUNT_STEPS = ['sessions_account_recent', 'agent_turns_session'];
const all = (values: unknown[][]): ParamSet[] => values.map((v) => ({ values: v, stratum: 'all' }));

export function studyCases(config: SeedConfig, strata: readonly AccountStratum[], samples = 20): StudyCase[] {
  const models = Array.from({ length: Math.min(samples, config.sessions) }, (_, k) =>
    generateSession(config, Math.floor((k * config.sessions) / Math.min(samples, config.sessions))),
  );
  const days = windowDays(config);
  const range = (ds: string[]): unknown[] => [
    new Date(`${ds[0]}T00:00:00Z`),
    new Date(Date.parse(`${ds[ds.length - 1]}T00:00:00Z`) + 86_400_000),
    ds,
  ];
  const sessions = all(models.map((m) => [m.session.sessionId]));
  const agentTurns = models.flatMap((m) =>
    m.turns
      .filter((t) => t.role === 'agent')
      .slice(0, 2)
      .map((t) => t.turnId),
  );
  const turns = all(models.flatMap((m) => m.turns.slice(0, 3).map((t) => [t.turnId])));
  // Every account of every stratum; i numbers them across strata (A2 spreads its days by it).
  const accounts = strata.flatMap((s) => s.accounts.map((a) => ({ id: a.account, stratum: s.stratum })));
  const perAccount = (extra: (a: string, i: number) => unknown[]): ParamSet[] =>
    accounts.map((a, i) => ({ values: [a.id, ...extra(a.id, i)], stratum: a.stratum }));
  const lastDays = days.slice(-7);
  const cases: Omit<StudyCase, 'weight'>[] = [
    { id: 'P1', title: 'active branch of a session', sql: Q.P1_ACTIVE_BRANCH, params: sessions, indexes: SESSION },
    {
      id: 'P2',
      title: "account's sessions, newest first (first page of 20)",
      sql: Q.P2_ACCOUNT_SESSIONS,
      params: perAccount(() => [null, null, 21]),
      indexes: ['sessions_account_recent', ...SESSION],
    },
    {
      id: 'P3',
      title: "turn's steps in idx order",
      sql: Q.P3_TURN_STEPS,
      params: all(agentTurns.map((t) => [t, -1, 51])),
      indexes: [],
    },
    {
      id: 'P4',
      title: 'siblings / regenerations of a turn',
      sql: Q.P4_SIBLINGS,
      params: turns,
      indexes: ['human_turns_session'],
    },
    { id: 'P5', title: 'session summary', sql: Q.P5_SESSION_SUMMARY, params: sessions, indexes: SESSION },
    {
      id: 'A1',
      title: 'turns per day per account (whole window)',
      sql: Q.A1_TURNS_PER_DAY,
      params: perAccount(() => range(days)),
      indexes: ['sessions_account_recent', ...SESSION],
    },
    {
      id: 'A2',
      title: 'step-type distribution of an account-day',
      sql: Q.A2_TYPE_DISTRIBUTION,
      params: perAccount((_, i) => range([lastDays[i % lastDays.length]!])),
      indexes: [...ACCOUNT_STEPS, 'steps_turn_covering'],
    },
    {
      id: 'A3',
      title: 'latency percentiles per step type (whole window)',
      sql: Q.A3_LATENCY,
      params: perAccount(() => range(days)),
      indexes: [...ACCOUNT_STEPS, 'steps_turn_covering'],
    },
    {
      id: 'A5',
      title: "an account's pending InputRequests (whole window)",
      sql: Q.A5_PENDING_INPUTS,
      params: perAccount(() => range(days)),
      indexes: [...ACCOUNT_STEPS, 'steps_pending_by_turn'],
    },
    {
      id: 'A6',
      title: 'language mix (whole window)',
      sql: Q.A6_LANGUAGE_MIX,
      params: perAccount(() => range(days)),
      indexes: ACCOUNT_STEPS,
    },
    {
      id: 'E1',
      title: "an account's turns labelled bug_report, score >= 0.7",
      sql: Q.E1_TURNS_BY_LABEL,
      params: perAccount(() => [...range(days), 'bug_report', 0.7]),
      indexes: ACCOUNT_STEPS,
    },
    {
      id: 'E2',
      title: 'label fractions per day (last 7 days)',
      sql: Q.E2_LABEL_COUNTS,
      params: perAccount(() => range(lastDays)),
      indexes: ACCOUNT_STEPS,
    },
    {
      id: 'E3',
      title: 'agent turns per version per day',
      sql: Q.E3_AGENT_TURNS_BY_VERSION,
      params: all(AGENT_VERSIONS.map((v) => [v, ...range(days)])),
      indexes: ['agent_turns_version_time'],
    },
    {
      id: 'E3d',
      title: 'agent turns of one version on one day',
      sql: Q.E3_AGENT_TURNS_BY_VERSION,
      params: all(AGENT_VERSIONS.map((v, i) => [v, ...range([lastDays[i % lastDays.length]!])])),
      indexes: ['agent_turns_version_time'],
    },
    {
      id: 'G5',
      title: 'oldest 100 pending InputRequests, all accounts (partial index)',
      sql: G5_PENDING_ALL,
      params: all([[]]),
      indexes: ['steps_pending_oldest', 'steps_pending_by_turn'],
    },
    {
      id: 'G1',
      title: 'top 100 bug_report verdicts >= 0.7, all accounts (expression index)',
      sql: G1_LABEL_ALL,
      params: all([
        ['bug_report', 0.7],
        ['praise', 0.8],
      ]),
      indexes: ['steps_classifier_label'],
    },
    {
      id: 'T1',
      title: 'step-type mix of one day, all accounts (BRIN against a B-tree)',
      sql: T1_WINDOW_MIX,
      params: all(lastDays.map((d) => range([d]).slice(0, 2))),
      indexes: ['steps_created_brin', 'steps_created_btree'],
    },
  ];
  // The schema variants (variants.ts) are candidates of the cases they rewrite.
  return cases.map((c) => ({ ...c, indexes: [...c.indexes, ...variantIndexes(c.id)], weight: WEIGHTS[c.id]! }));
}
