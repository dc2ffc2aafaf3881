import type { PgMigration } from './migration.ts';

/**
 * The brief's normalised schema (docs/brief.md): sessions, human_turns, agent_turns, steps.
 * Additions, each needed by a key query or by our model:
 * - sessions.created_at (P2 orders by it) and sessions.active_root (which root is shown when the
 *   first turn was edited: the brief's active_child links start below the root).
 * - agent_turns.agent_version (E3, version regressions) and steps.duration_ms (A3 latency).
 * Ids are COLLATE "C" so ORDER BY matches the byte order the API contract (and the CQL store) use,
 * whatever the database's default collation.
 * content stays text, as in the brief: P3 must return the stored JSON byte for byte, and jsonb would
 * reorder keys and drop whitespace. Analytics read it with content::jsonb (expression indexes
 * make the hot extractions cheap, see 002 and docs/index-study.md).
 * The parent links are two foreign keys that point at each other's table, so they are DEFERRABLE:
 * a batch inserts human turns before agent turns and checks the links at commit.
 */
export const schema001: PgMigration = {
  version: 1,
  name: 'normalised schema of the brief',
  statements: [
    `CREATE TABLE sessions (
      uid varchar(64) COLLATE "C" PRIMARY KEY,
      account_uid varchar(64) COLLATE "C" NOT NULL,
      title varchar NOT NULL,
      created_at timestamptz NOT NULL,
      active_root varchar(64) COLLATE "C"
    )`,
    `CREATE TABLE human_turns (
      uid varchar(64) COLLATE "C" PRIMARY KEY,
      session_uid varchar(64) COLLATE "C" NOT NULL REFERENCES sessions (uid),
      parent_uid varchar(64) COLLATE "C",
      active_child varchar(64) COLLATE "C",
      prompt varchar NOT NULL,
      created_at timestamptz NOT NULL
    )`,
    `CREATE TABLE agent_turns (
      uid varchar(64) COLLATE "C" PRIMARY KEY,
      session_uid varchar(64) COLLATE "C" NOT NULL REFERENCES sessions (uid),
      parent_uid varchar(64) COLLATE "C" NOT NULL REFERENCES human_turns (uid) DEFERRABLE INITIALLY DEFERRED,
      active_child varchar(64) COLLATE "C",
      agent_version varchar(64),
      created_at timestamptz NOT NULL
    )`,
    `ALTER TABLE human_turns ADD CONSTRAINT human_turns_parent_fk
      FOREIGN KEY (parent_uid) REFERENCES agent_turns (uid) DEFERRABLE INITIALLY DEFERRED`,
    `CREATE TABLE steps (
      agent_turn_uid varchar(64) COLLATE "C" NOT NULL REFERENCES agent_turns (uid) DEFERRABLE INITIALLY DEFERRED,
      idx integer NOT NULL CHECK (idx >= 0),
      tpe integer NOT NULL CHECK (tpe BETWEEN 0 AND 12),
      content varchar NOT NULL,
      created_at timestamptz NOT NULL,
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      PRIMARY KEY (agent_turn_uid, idx)
    )`,
  ],
};
