import type { PgMigration } from './migration.ts';

/**
 * The storage interfaces on the normalised baseline (src/storage/, docs/storage.md): a session's
 * lifecycle as columns of `sessions` (defaults keep every existing row and loader valid), one row
 * per completed agent turn (the source of session metrics, keyed by the turn so a replayed
 * completion counts once), and versioned task context. Every write of the storage layer runs in a
 * transaction; deleting a session removes its rows here through ON DELETE CASCADE.
 */
export const storage004: PgMigration = {
  version: 4,
  name: 'storage interfaces: session lifecycle, turn completions, task context',
  statements: [
    `ALTER TABLE sessions
      ADD COLUMN status varchar(16) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'completed', 'failed', 'abandoned')),
      ADD COLUMN ended_at timestamptz,
      ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb`,
    `CREATE INDEX sessions_open ON sessions (uid) WHERE status = 'active'`,
    `CREATE TABLE turn_completions (
      agent_turn_uid varchar(64) COLLATE "C" PRIMARY KEY REFERENCES agent_turns (uid) ON DELETE CASCADE,
      session_uid varchar(64) COLLATE "C" NOT NULL REFERENCES sessions (uid) ON DELETE CASCADE,
      status varchar(16) NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),
      error varchar,
      model varchar(128),
      tokens_in integer NOT NULL CHECK (tokens_in >= 0),
      tokens_out integer NOT NULL CHECK (tokens_out >= 0),
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      completed_at timestamptz NOT NULL
    )`,
    `CREATE INDEX turn_completions_session ON turn_completions (session_uid)`,
    `CREATE TABLE task_context (
      scope_kind varchar(16) NOT NULL,
      scope_id varchar(64) COLLATE "C" NOT NULL,
      key varchar(256) COLLATE "C" NOT NULL,
      value text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      updated_at timestamptz NOT NULL,
      expires_at timestamptz,
      PRIMARY KEY (scope_kind, scope_id, key)
    )`,
  ],
};
