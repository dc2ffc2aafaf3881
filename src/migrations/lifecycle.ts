import type { TableName } from './catalog.ts';

/**
 * How each table's rows leave: erasure of a session (src/store/erase.ts) and retention (TTL). One
 * entry per current table, keyed by TableName, so a migration that adds a table does not compile
 * until it says here how that table is erased (test/unit/lifecycle.test.ts checks it at run time
 * too, against the tables folded from the migrations). docs/lifecycle.md is written from this.
 */
type Erase =
  /** The rows of a session are found from the session itself: `key` says how their primary key is derived. */
  | { readonly by: 'session' | 'turn' | 'step'; readonly key: string }
  /** Kept on erasure: holds no session data (`why`). */
  | { readonly keep: string };

type Retention =
  /** `default_time_to_live` may be set (agentstore retention): nothing reads a row past its window and no CDC consumer follows it. */
  | { readonly ttl: 'analytics' }
  /** No TTL: `why`. */
  | { readonly none: string };

export interface Lifecycle {
  readonly erase: Erase;
  readonly retention: Retention;
}

const CDC_NO_TTL =
  'a CDC table: expiry is not a change event (ScyllaDB CDC logs no TTL expiry), so Redis would keep the row; erase instead';
const SESSION_WHOLE =
  "a session's rows live in several tables written at different times, so per-row expiry would leave half sessions; retention of sessions is erasure";

export const LIFECYCLE = {
  sessions: {
    erase: { by: 'session', key: 'session_id' },
    retention: { none: `${CDC_NO_TTL}; ${SESSION_WHOLE}` },
  },
  turns: {
    erase: { by: 'turn', key: "turn_id of each of the session's turns (read from turns_by_session)" },
    retention: { none: SESSION_WHOLE },
  },
  turns_by_session: {
    erase: { by: 'session', key: 'session_id + each turn row, then the static row (active_root)' },
    retention: { none: `${CDC_NO_TTL}; ${SESSION_WHOLE}` },
  },
  steps_by_turn: {
    erase: { by: 'step', key: 'turn_id + idx of each step (read from the turn partition)' },
    retention: { none: `${CDC_NO_TTL}; ${SESSION_WHOLE}` },
  },
  account_buckets: {
    erase: { keep: "the account's bucketing schedule: no session data, and readers of every remaining row need it" },
    retention: { none: 'readers of any day still stored need the schedule of that day' },
  },
  session_months_by_account: {
    erase: {
      keep: 'account and month only (no session id), shared by the other sessions of that month; an empty month costs P2 one empty read',
    },
    retention: { none: "P2 finds an account's months here: a month must not expire while it has sessions" },
  },
  sessions_by_account_month_bucket: {
    erase: {
      by: 'session',
      key: "account_id, month and bucket of the session's creation (bucket from account_buckets), created_at, session_id",
    },
    retention: { none: `P2 would stop listing a session that still exists; ${SESSION_WHOLE}` },
  },
  turns_by_account_day_bucket: {
    erase: { by: 'turn', key: "account_id, the turn's day and bucket, role, created_at, turn_id" },
    retention: { ttl: 'analytics' },
  },
  steps_by_account_day_bucket: {
    erase: { by: 'step', key: "account_id, the step's turn's day and bucket, turn_id, idx" },
    retention: { ttl: 'analytics' },
  },
  pending_inputs_by_account_day_bucket: {
    erase: {
      by: 'step',
      key: "account_id, the asking turn's day and bucket, session_id, turn_id (its open rows read by that prefix), idx",
    },
    retention: { none: `${CDC_NO_TTL}; an open question must stay listed until it is answered` },
  },
  agent_turns_by_version_day_bucket: {
    erase: {
      by: 'turn',
      key: 'agent_version, the turn day, bucket of the turn id among VERSION_BUCKETS, created_at, turn_id',
    },
    retention: { ttl: 'analytics' },
  },
  turn_counts_by_session: {
    erase: { by: 'session', key: 'session_id' },
    retention: { none: 'the turns-per-session limit: an expired count would be recounted, but nothing is gained' },
  },
} as const satisfies { readonly [T in TableName]: Lifecycle };

/** The tables an erasure deletes from. */
export type ErasedTable = {
  [T in TableName]: (typeof LIFECYCLE)[T]['erase'] extends { keep: string } ? never : T;
}[TableName];

/** Tables of `names` without a lifecycle entry (a table a migration added without saying how it leaves). */
export const undeclared = (names: readonly string[]): string[] => names.filter((n) => !(n in LIFECYCLE));

/** The tables whose retention may be a TTL. */
export const TTL_TABLES = (Object.keys(LIFECYCLE) as TableName[]).filter((t) => 'ttl' in LIFECYCLE[t].retention);

/** The Markdown table of every table's erasure and retention (docs/lifecycle.md, scripts/docs). */
export function lifecycleMarkdown(): string {
  const rows = (Object.entries(LIFECYCLE) as [TableName, Lifecycle][]).map(([t, l]) => {
    const erase = 'keep' in l.erase ? `kept: ${l.erase.keep}` : `by ${l.erase.by}: ${l.erase.key}`;
    const retention =
      'ttl' in l.retention ? 'TTL allowed (`agentstore retention --analytics-days N`)' : `none: ${l.retention.none}`;
    return `| \`${t}\` | ${erase} | ${retention} |`;
  });
  return ['| table | erasure (of a session) | retention |', '|---|---|---|', ...rows].join('\n');
}
