import { z } from 'zod';
import type { CdcTable } from '../config/read-side.ts';

/**
 * The row images of each CDC table as the connector writes them with the JSON converter (no
 * schemas): timestamp = epoch milliseconds, int = number, text = string. A column is null in a
 * partial image (a postimage of an update to a row whose other cells were never written), so only
 * the primary key is required here; the projector decides what a partial row can still update.
 * Unknown columns are allowed: a later migration may add one before the projector knows it.
 */
const text = z.string().nullish();
const ms = z.number().int().nullish();
const int = z.number().int().nullish();

export const ROW_SCHEMAS = {
  sessions: z.looseObject({ session_id: z.string(), account_id: text, title: text, created_at: ms, last_activity: ms }),
  turns_by_session: z.looseObject({
    session_id: z.string(),
    // Null in the image of the static row (active_root), which has no clustering key.
    parent_id: text,
    created_at: ms,
    turn_id: text,
    active_root: text,
    account_id: text,
    role: z.enum(['human', 'agent']).nullish(),
    prompt: text,
    active_child: text,
    agent_version: text,
  }),
  steps_by_turn: z.looseObject({
    turn_id: z.string(),
    idx: z.number().int(),
    session_id: text,
    account_id: text,
    step_type: int,
    content: text,
    created_at: ms,
    duration_ms: int,
    turn_created_at: ms,
  }),
  pending_inputs_by_account: z.looseObject({
    account_id: z.string(),
    session_id: z.string(),
    turn_id: z.string(),
    question: text,
    created_at: ms,
  }),
} satisfies Record<CdcTable, z.ZodType>;

export type RowOf<T extends CdcTable> = z.infer<(typeof ROW_SCHEMAS)[T]>;

/** Primary key columns, in key order: the version guard is keyed by them. */
export const PRIMARY_KEYS: Record<CdcTable, { partition: string[]; clustering: string[] }> = {
  sessions: { partition: ['session_id'], clustering: [] },
  turns_by_session: { partition: ['session_id'], clustering: ['parent_id', 'created_at', 'turn_id'] },
  steps_by_turn: { partition: ['turn_id'], clustering: ['idx'] },
  pending_inputs_by_account: { partition: ['account_id'], clustering: ['session_id', 'turn_id'] },
};
