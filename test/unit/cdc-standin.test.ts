import { describe, expect, it } from 'vitest';
import { cdcWriteOf } from '../../src/cdc/standin/statements.ts';
import type { Session, Step, Turn } from '../../src/domain/model.ts';
import { StepType } from '../../src/domain/step-types.ts';
import {
  deletePendingInput,
  insertPendingInput,
  insertSession,
  insertStep,
  lastActivityWrite,
  setActiveChild,
  turnIndexWrites,
} from '../../src/store/writes.ts';
import { deleteRow } from '../../src/store/statements.ts';

// The CDC stand-in must know the row of every write of src/store/writes.ts on a CDC table.
const ks = 'app';
const at = new Date(Date.UTC(2026, 9, 1, 12));
const session: Session = { sessionId: 'ses_1', accountId: 'acct_1', title: 'T', createdAt: at };
const turn: Turn = {
  turnId: 'trn_1',
  sessionId: 'ses_1',
  accountId: 'acct_1',
  role: 'human',
  parentId: null,
  prompt: 'hi',
  agentVersion: null,
  createdAt: at,
};
const step: Step = {
  turnId: 'trn_2',
  sessionId: 'ses_1',
  accountId: 'acct_1',
  idx: 3,
  type: StepType.InputRequest,
  content: '{}',
  createdAt: at,
  durationMs: 5,
};
const parse = cdcWriteOf;

describe('CDC stand-in: which row a write touches', () => {
  it('inserts, LWT claims and non-CDC tables', () => {
    expect(parse(insertSession(ks, session, true))).toMatchObject({
      table: 'sessions',
      kind: 'insert',
      lwt: true,
      key: { session_id: 'ses_1' },
      staticRow: false,
    });
    expect(parse(insertStep(ks, step, at))).toMatchObject({
      table: 'steps_by_turn',
      key: { turn_id: 'trn_2', idx: 3 },
    });
    const [byTurn, byDay] = turnIndexWrites(ks, turn, () => 1);
    expect(parse(byTurn!)).toMatchObject({
      table: 'turns_by_session',
      key: { session_id: 'ses_1', parent_id: '', created_at: at, turn_id: 'trn_1' },
    });
    expect(parse(byDay!)).toBeNull();
    expect(parse({ query: `SELECT * FROM ${ks}.sessions WHERE session_id = ?`, params: ['x'] })).toBeNull();
  });

  it('updates: USING TIMESTAMP is the change time; active_root is the static row', () => {
    expect(parse(lastActivityWrite(ks, session.sessionId, at))).toMatchObject({
      table: 'sessions',
      kind: 'update',
      key: { session_id: 'ses_1' },
      writeTimeUs: BigInt(at.getTime()) * 1000n,
    });
    expect(parse(lastActivityWrite(ks, session.sessionId, at, false))).not.toHaveProperty('writeTimeUs');
    expect(parse(setActiveChild(ks, 'ses_1', null, 'trn_1'))).toMatchObject({
      table: 'turns_by_session',
      staticRow: true,
      key: { session_id: 'ses_1' },
    });
    expect(
      parse(setActiveChild(ks, 'ses_1', { turnId: 'trn_1', parentId: null, createdAt: at }, 'trn_2')),
    ).toMatchObject({
      staticRow: false,
      key: { session_id: 'ses_1', parent_id: '', created_at: at, turn_id: 'trn_1' },
    });
  });

  it('row deletes, and writes it cannot represent faithfully throw', () => {
    expect(parse(insertPendingInput(ks, step, 'q?', at, () => 1, 7n))).toMatchObject({
      table: 'pending_inputs_by_account_day_bucket',
      kind: 'insert',
      writeTimeUs: 7n,
    });
    expect(parse(deletePendingInput(ks, step, at, () => 1))).toMatchObject({
      kind: 'delete',
      key: { account_id: 'acct_1', day: '2026-10-01', bucket: 0, session_id: 'ses_1', turn_id: 'trn_2', idx: 3 },
    });
    expect(() =>
      deleteRow(ks, 'pending_inputs_by_account_day_bucket', {
        account_id: 'a',
        day: '2026-10-01',
        bucket: 0,
        session_id: 's',
      }),
    ).toThrow(/range writes are not CDC-visible/);
    expect(() => parse({ query: `UPDATE ${ks}.sessions SET title = 'x' WHERE session_id = ?`, params: ['s'] })).toThrow(
      /a write that does not name its row/,
    );
  });
});
