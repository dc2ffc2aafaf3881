import type { Statement } from '../cql/executor.ts';
import { dayOf, monthOf, type Session, type Step, type Turn } from '../domain/model.ts';
import { StepType } from '../domain/step-types.ts';

/**
 * Where each row goes. Pure functions from validated entities to CQL statements: the store runs
 * them after its checks (in logged batches), the seeder runs the same statements in bulk. Keeping
 * one plan means the seeded data and live writes can never disagree on layout.
 */

const micros = (at: Date): bigint => BigInt(at.getTime()) * 1000n;

/** The parent key of a root turn: CQL clustering columns cannot be null. */
export const ROOT = '';

/**
 * last_activity is a max-register: each write carries the activity time as its write timestamp, so
 * last-write-wins keeps the latest activity whatever order writes (or retries) arrive in.
 */
export function lastActivityWrites(
  ks: string,
  session: Pick<Session, 'sessionId' | 'accountId' | 'createdAt'>,
  at: Date,
): Statement[] {
  return [
    {
      query: `UPDATE ${ks}.sessions USING TIMESTAMP ? SET last_activity = ? WHERE session_id = ?`,
      params: [micros(at), at, session.sessionId],
    },
    {
      query: `UPDATE ${ks}.sessions_by_account USING TIMESTAMP ? SET last_activity = ? WHERE account_id = ? AND month = ? AND created_at = ? AND session_id = ?`,
      params: [micros(at), at, session.accountId, monthOf(session.createdAt), session.createdAt, session.sessionId],
    },
  ];
}

export function insertSession(ks: string, s: Session, ifNotExists = false): Statement {
  return {
    query: `INSERT INTO ${ks}.sessions (session_id, account_id, title, created_at) VALUES (?, ?, ?, ?)${ifNotExists ? ' IF NOT EXISTS' : ''}`,
    params: [s.sessionId, s.accountId, s.title, s.createdAt],
  };
}

/** Everything but the `sessions` row itself (which the store claims with a lightweight transaction). */
export function sessionIndexWrites(ks: string, s: Session): Statement[] {
  return [
    {
      query: `INSERT INTO ${ks}.sessions_by_account (account_id, month, created_at, session_id, title) VALUES (?, ?, ?, ?, ?)`,
      params: [s.accountId, monthOf(s.createdAt), s.createdAt, s.sessionId, s.title],
    },
    ...lastActivityWrites(ks, s, s.createdAt),
  ];
}

export function insertTurn(ks: string, t: Turn, sessionCreatedAt: Date, ifNotExists = false): Statement {
  return {
    query: `INSERT INTO ${ks}.turns (turn_id, session_id, account_id, role, parent_id, created_at, session_created_at, agent_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)${ifNotExists ? ' IF NOT EXISTS' : ''}`,
    params: [
      t.turnId,
      t.sessionId,
      t.accountId,
      t.role,
      t.parentId ?? ROOT,
      t.createdAt,
      sessionCreatedAt,
      t.agentVersion,
    ],
  };
}

export function turnIndexWrites(
  ks: string,
  t: Turn,
  session: Pick<Session, 'sessionId' | 'accountId' | 'createdAt'>,
): Statement[] {
  const out: Statement[] = [
    {
      query: `INSERT INTO ${ks}.turns_by_session (session_id, parent_id, created_at, turn_id, account_id, role, prompt, agent_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [t.sessionId, t.parentId ?? ROOT, t.createdAt, t.turnId, t.accountId, t.role, t.prompt, t.agentVersion],
    },
    {
      query: `INSERT INTO ${ks}.turns_by_account_day (account_id, day, role, created_at, turn_id, session_id) VALUES (?, ?, ?, ?, ?, ?)`,
      params: [t.accountId, dayOf(t.createdAt), t.role, t.createdAt, t.turnId, t.sessionId],
    },
    ...lastActivityWrites(ks, session, t.createdAt),
  ];
  if (t.role === 'agent' && t.agentVersion) {
    out.push({
      query: `INSERT INTO ${ks}.agent_turns_by_version_day (agent_version, day, created_at, turn_id, account_id, session_id) VALUES (?, ?, ?, ?, ?, ?)`,
      params: [t.agentVersion, dayOf(t.createdAt), t.createdAt, t.turnId, t.accountId, t.sessionId],
    });
  }
  return out;
}

/** The clustering key of a turn's row in turns_by_session: what an active_child update must name. */
export interface TurnKey {
  turnId: string;
  parentId: string | null;
  createdAt: Date;
}

/** Points a parent (or, for parent null, the session's root) at the child that is shown. */
export function setActiveChild(ks: string, sessionId: string, parent: TurnKey | null, childId: string): Statement {
  if (!parent) {
    return {
      query: `UPDATE ${ks}.turns_by_session SET active_root = ? WHERE session_id = ?`,
      params: [childId, sessionId],
    };
  }
  return {
    query: `UPDATE ${ks}.turns_by_session SET active_child = ? WHERE session_id = ? AND parent_id = ? AND created_at = ? AND turn_id = ?`,
    params: [childId, sessionId, parent.parentId ?? ROOT, parent.createdAt, parent.turnId],
  };
}

export function insertStep(ks: string, s: Step, turnCreatedAt: Date): Statement {
  return {
    query: `INSERT INTO ${ks}.steps_by_turn (turn_id, idx, session_id, account_id, step_type, content, created_at, duration_ms, turn_created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [s.turnId, s.idx, s.sessionId, s.accountId, s.type, s.content, s.createdAt, s.durationMs, turnCreatedAt],
  };
}

/** A label row: classifier verdicts and detected languages, keyed so score ranges are one slice. */
export interface StepLabel {
  source: 'classifier' | 'language';
  label: string;
  score: number;
}

export function labelOf(type: StepType, parsed: unknown): StepLabel | null {
  const c = parsed as Record<string, unknown>;
  if (type === StepType.TurnClassifier)
    return { source: 'classifier', label: c['label'] as string, score: c['score'] as number };
  if (type === StepType.LangDetection)
    return { source: 'language', label: c['language'] as string, score: c['confidence'] as number };
  return null;
}

/**
 * Analytics rows of a step. They are bucketed by the day of the step's turn, not of the step: the
 * turn's time is fixed once written, so a retried call lands in the same partition.
 */
export function stepIndexWrites(ks: string, s: Step, turnCreatedAt: Date, parsed: unknown): Statement[] {
  const day = dayOf(turnCreatedAt);
  const out: Statement[] = [
    {
      query: `INSERT INTO ${ks}.steps_by_account_day (account_id, day, step_type, duration_ms, turn_id, idx, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      params: [s.accountId, day, s.type, s.durationMs, s.turnId, s.idx, s.sessionId],
    },
  ];
  const label = labelOf(s.type, parsed);
  if (label) {
    out.push({
      query: `INSERT INTO ${ks}.turn_labels_by_account_day (account_id, day, source, label, score, turn_id, idx, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [s.accountId, day, label.source, label.label, label.score, s.turnId, s.idx, s.sessionId],
    });
  }
  return out;
}

export function insertPendingInput(ks: string, s: Step, question: string): Statement {
  return {
    query: `INSERT INTO ${ks}.pending_inputs_by_account (account_id, session_id, turn_id, question, created_at) VALUES (?, ?, ?, ?, ?)`,
    params: [s.accountId, s.sessionId, s.turnId, question, s.createdAt],
  };
}

/** A human reply answers the agent turn's InputRequest. A row delete: CDC consumers see it (range deletes they would not). */
export function deletePendingInput(ks: string, accountId: string, sessionId: string, agentTurnId: string): Statement {
  return {
    query: `DELETE FROM ${ks}.pending_inputs_by_account WHERE account_id = ? AND session_id = ? AND turn_id = ?`,
    params: [accountId, sessionId, agentTurnId],
  };
}
