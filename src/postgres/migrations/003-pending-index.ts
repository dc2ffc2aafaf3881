import { createIndexSql, INDEXES } from '../indexes.ts';
import type { PgMigration } from './migration.ts';

const pending = INDEXES.find((ix) => ix.name === 'steps_pending_oldest')!;

/**
 * G5 reads the oldest pending InputRequests (`ORDER BY created_at LIMIT 100`): v2's partial index
 * was keyed on agent_turn_uid, so the plan still read every InputRequest step and sorted them
 * (docs/index-study.md). Keyed on created_at, with the turn included, it returns them in order.
 */
export const pendingIndex003: PgMigration = {
  version: 3,
  name: 'pending-inputs partial index keyed on created_at',
  statements: ['DROP INDEX IF EXISTS steps_pending_input', createIndexSql(pending)],
};
