import type { Migration } from './migration.ts';

/**
 * The tables of the storage interfaces (src/storage/, docs/storage.md): session lifecycle, the open
 * sessions the idle sweep reads, agent-turn completions (the source of session metrics) and task
 * context. No CDC: session metrics are aggregated from one bounded partition per session, so no read
 * model (and no CQL counter, which a replay would double) is involved.
 *
 * session_state, turn_completions_by_session and task_context are written with lightweight
 * transactions only (never mixed with plain writes on the same rows). ScyllaDB does not support LWT
 * in keyspaces with tablets ("The LWT feature is not supported in keyspaces with tablets enabled",
 * docs.scylladb.com/manual/branch-2025.3/features/lwt.html); tablets are a keyspace property there,
 * and createKeyspaceCql (src/schema/table.ts) turns them off on the scylla dialect only.
 */
export const storageInterfaces = {
  version: 6,
  name: 'storage interfaces: session state, open sessions, turn completions, task context',
  steps: [
    {
      createTable: {
        name: 'session_state',
        serves:
          'SessionStore lifecycle: status, end time and metadata (JSON) of a session, versioned for compare-and-set (LWT writes only); one row per session, a missing row reads as active with no metadata',
        columns: {
          session_id: 'text',
          status: 'text',
          ended_at: 'timestamp',
          metadata: 'text',
          version: 'int',
          updated_at: 'timestamp',
        },
        partitionKey: ['session_id'],
      },
    },
    {
      createTable: {
        name: 'open_sessions_by_shard',
        serves:
          'SessionStore.sweepIdle: the sessions not ended yet, in 16 shards by a hash of the id; a row is written on create and deleted on end or delete, so a partition holds at most the open sessions / 16',
        columns: { shard: 'int', session_id: 'text', account_id: 'text' },
        partitionKey: ['shard'],
        clustering: [{ column: 'session_id', order: 'ASC' }],
      },
    },
    {
      createTable: {
        name: 'turn_completions_by_session',
        serves:
          'ConversationStore.completeTurn and SessionStore.metrics: one row per completed agent turn (status, error, model, tokens, processing time), claimed with IF NOT EXISTS so a replayed completion counts once; metrics aggregate the partition, at most LIMITS.turnsPerSession rows',
        columns: {
          session_id: 'text',
          turn_id: 'text',
          status: 'text',
          error: 'text',
          model: 'text',
          tokens_in: 'int',
          tokens_out: 'int',
          duration_ms: 'int',
          completed_at: 'timestamp',
        },
        partitionKey: ['session_id'],
        clustering: [{ column: 'turn_id', order: 'ASC' }],
      },
    },
    {
      createTable: {
        name: 'task_context',
        serves:
          'TaskContextStore: versioned JSON values per (scope kind, scope id) and key, compare-and-set by LWT only, expiry by USING TTL plus expires_at; at most CONTEXT_LIMITS.keysPerScope keys of at most maxValueBytes each per partition',
        columns: {
          scope_kind: 'text',
          scope_id: 'text',
          key: 'text',
          value: 'text',
          version: 'int',
          updated_at: 'timestamp',
          expires_at: 'timestamp',
        },
        partitionKey: ['scope_kind', 'scope_id'],
        clustering: [{ column: 'key', order: 'ASC' }],
      },
    },
  ],
} as const satisfies Migration;
