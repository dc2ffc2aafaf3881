import { createIndexSql, INDEXES } from '../indexes.ts';
import type { PgMigration } from './migration.ts';

/**
 * What version 2 applied, frozen: its checksum must not change. Version 3 replaced its partial
 * index for pending inputs, which was keyed on the wrong column for the query it serves.
 */
const V2_PENDING = 'CREATE INDEX IF NOT EXISTS steps_pending_input ON steps (agent_turn_uid) WHERE tpe = 10';

/** The secondary indexes the index study recommends (docs/index-study.md, docs/postgres-baseline.md). */
export const indexes002: PgMigration = {
  version: 2,
  name: 'secondary indexes for the key queries',
  statements: INDEXES.map((ix) => (ix.name === 'steps_pending_oldest' ? V2_PENDING : createIndexSql(ix))),
};
