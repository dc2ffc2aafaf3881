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
  /**
   * Keyed by a LangGraph thread, which the application names (it may or may not be a session id):
   * erased by key through the checkpointer (`via`), never by the session eraser's guess of the thread.
   */
  | { readonly by: 'thread'; readonly key: string; readonly via: string }
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

/** Migration 5's tables: every partition starts (scope, thread_id), and deleteThread removes them all. */
function checkpointLifecycle() {
  const thread = {
    erase: {
      by: 'thread',
      key: 'scope, thread_id (and each checkpoint_ns of the thread)',
      via: 'CqlCheckpointSaver.deleteThread',
    },
    retention: {
      none: 'a channel blob written in step 1 is still referenced by the newest checkpoint; growth is bounded by prune and sweepIdle',
    },
  } as const;
  return {
    checkpoints: thread,
    checkpoint_blobs: thread,
    checkpoint_writes: thread,
    checkpoint_namespaces: thread,
    checkpoint_threads: {
      erase: { by: 'thread', key: 'scope, bucket of the thread id, thread_id', via: 'CqlCheckpointSaver.deleteThread' },
      retention: { none: "listing without thread_id reads it; sweepIdle deletes a swept thread's row" },
    },
    checkpoint_threads_by_day: {
      erase: {
        by: 'thread',
        key: 'scope, day, bucket, thread_id: deleteThread leaves these ids (no content) until sweepIdle deletes the day',
        via: 'CqlCheckpointSaver.sweepIdle',
      },
      retention: { none: 'sweepIdle deletes the rows of the days it swept' },
    },
    checkpoint_days: {
      erase: { keep: 'the UTC days a scope wrote on: no thread or session id' },
      retention: { none: 'sweepIdle deletes the days it swept' },
    },
  } as const;
}

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
      key: "agent_version, the turn day, bucket of the turn id in the version's schedule (account_buckets under versionOwner), created_at, turn_id",
    },
    retention: { ttl: 'analytics' },
  },
  turn_counts_by_session: {
    erase: { by: 'session', key: 'session_id' },
    retention: { none: 'the turns-per-session limit: an expired count would be recounted, but nothing is gained' },
  },
  ...checkpointLifecycle(),
  session_state: {
    erase: { by: 'session', key: 'session_id' },
    retention: { none: 'a session ends by status, not by expiry; retention of sessions is erasure' },
  },
  open_sessions_by_shard: {
    erase: { by: 'session', key: 'shard of the session id (OPEN_SESSION_SHARDS by hash), session_id' },
    retention: { none: 'sweepIdle must see every open session; ending or erasing one deletes its row' },
  },
  turn_completions_by_session: {
    erase: { by: 'session', key: 'session_id (the partition)' },
    retention: { none: "the session's metrics add up its completions: an expired row would change them" },
  },
  task_context: {
    erase: {
      by: 'session',
      key: "scope_kind 'session', scope_id = session_id (the partition); account, app and task scopes are not a session's and are deleted by their owner",
    },
    retention: { none: 'per value: TaskContextStore sets USING TTL from the caller, never a table default' },
  },
} as const satisfies { readonly [T in TableName]: Lifecycle };

/** The tables a session's erasure deletes from (a thread's tables are erased through the checkpointer). */
export type ErasedTable = {
  [T in TableName]: (typeof LIFECYCLE)[T]['erase'] extends { keep: string } | { by: 'thread' } ? never : T;
}[TableName];

/** Tables of `names` without a lifecycle entry (a table a migration added without saying how it leaves). */
export const undeclared = (names: readonly string[]): string[] => names.filter((n) => !(n in LIFECYCLE));

/** The tables whose retention may be a TTL. */
export const TTL_TABLES = (Object.keys(LIFECYCLE) as TableName[]).filter((t) => 'ttl' in LIFECYCLE[t].retention);

/** The Markdown table of every table's erasure and retention (docs/lifecycle.md, scripts/docs). */
export function lifecycleMarkdown(): string {
  const rows = (Object.entries(LIFECYCLE) as [TableName, Lifecycle][]).map(([t, l]) => {
    const erase =
      'keep' in l.erase
        ? `kept: ${l.erase.keep}`
        : 'via' in l.erase
          ? `by thread, through \`${l.erase.via}\`: ${l.erase.key}`
          : `by ${l.erase.by}: ${l.erase.key}`;
    const retention =
      'ttl' in l.retention ? 'TTL allowed (`agentstore retention --analytics-days N`)' : `none: ${l.retention.none}`;
    return `| \`${t}\` | ${erase} | ${retention} |`;
  });
  return ['| table | erasure (of a session) | retention |', '|---|---|---|', ...rows].join('\n');
}
