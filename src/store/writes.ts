import type { Statement } from '../cql/executor.ts';
import { dayOf, monthOf, type Session, type Step, type Turn } from '../domain/model.ts';
import { StepType } from '../domain/step-types.ts';
import { deleteRow, insert, update } from './statements.ts';

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
  const writeTimeUs = micros(at);
  return [
    update(ks, 'sessions', { last_activity: at }, { session_id: session.sessionId }, { writeTimeUs }),
    update(
      ks,
      'sessions_by_account',
      { last_activity: at },
      {
        account_id: session.accountId,
        month: monthOf(session.createdAt),
        created_at: session.createdAt,
        session_id: session.sessionId,
      },
      { writeTimeUs },
    ),
  ];
}

export function insertSession(ks: string, s: Session, ifNotExists = false) {
  return insert(
    ks,
    'sessions',
    { session_id: s.sessionId, account_id: s.accountId, title: s.title, created_at: s.createdAt },
    { ifNotExists },
  );
}

/** Everything but the `sessions` row itself (which the store claims with a lightweight transaction). */
export function sessionIndexWrites(ks: string, s: Session): Statement[] {
  return [
    insert(ks, 'sessions_by_account', {
      account_id: s.accountId,
      month: monthOf(s.createdAt),
      created_at: s.createdAt,
      session_id: s.sessionId,
      title: s.title,
    }),
    ...lastActivityWrites(ks, s, s.createdAt),
  ];
}

export function insertTurn(ks: string, t: Turn, sessionCreatedAt: Date, ifNotExists = false) {
  return insert(
    ks,
    'turns',
    {
      turn_id: t.turnId,
      session_id: t.sessionId,
      account_id: t.accountId,
      role: t.role,
      parent_id: t.parentId ?? ROOT,
      created_at: t.createdAt,
      session_created_at: sessionCreatedAt,
      agent_version: t.agentVersion,
    },
    { ifNotExists },
  );
}

export function turnIndexWrites(
  ks: string,
  t: Turn,
  session: Pick<Session, 'sessionId' | 'accountId' | 'createdAt'>,
): Statement[] {
  const out: Statement[] = [
    insert(ks, 'turns_by_session', {
      session_id: t.sessionId,
      parent_id: t.parentId ?? ROOT,
      created_at: t.createdAt,
      turn_id: t.turnId,
      account_id: t.accountId,
      role: t.role,
      prompt: t.prompt,
      agent_version: t.agentVersion,
    }),
    insert(ks, 'turns_by_account_day', {
      account_id: t.accountId,
      day: dayOf(t.createdAt),
      role: t.role,
      created_at: t.createdAt,
      turn_id: t.turnId,
      session_id: t.sessionId,
    }),
    ...lastActivityWrites(ks, session, t.createdAt),
  ];
  if (t.role === 'agent' && t.agentVersion) {
    out.push(
      insert(ks, 'agent_turns_by_version_day', {
        agent_version: t.agentVersion,
        day: dayOf(t.createdAt),
        created_at: t.createdAt,
        turn_id: t.turnId,
        account_id: t.accountId,
        session_id: t.sessionId,
      }),
    );
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
  if (!parent) return update(ks, 'turns_by_session', { active_root: childId }, { session_id: sessionId });
  return update(
    ks,
    'turns_by_session',
    { active_child: childId },
    { session_id: sessionId, parent_id: parent.parentId ?? ROOT, created_at: parent.createdAt, turn_id: parent.turnId },
  );
}

export function insertStep(ks: string, s: Step, turnCreatedAt: Date): Statement {
  return insert(ks, 'steps_by_turn', {
    turn_id: s.turnId,
    idx: s.idx,
    session_id: s.sessionId,
    account_id: s.accountId,
    step_type: s.type,
    content: s.content,
    created_at: s.createdAt,
    duration_ms: s.durationMs,
    turn_created_at: turnCreatedAt,
  });
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
    insert(ks, 'steps_by_account_day', {
      account_id: s.accountId,
      day,
      step_type: s.type,
      duration_ms: s.durationMs,
      turn_id: s.turnId,
      idx: s.idx,
      session_id: s.sessionId,
    }),
  ];
  const label = labelOf(s.type, parsed);
  if (label) {
    out.push(
      insert(ks, 'turn_labels_by_account_day', {
        account_id: s.accountId,
        day,
        source: label.source,
        label: label.label,
        score: label.score,
        turn_id: s.turnId,
        idx: s.idx,
        session_id: s.sessionId,
      }),
    );
  }
  return out;
}

export function insertPendingInput(ks: string, s: Step, question: string): Statement {
  return insert(ks, 'pending_inputs_by_account', {
    account_id: s.accountId,
    session_id: s.sessionId,
    turn_id: s.turnId,
    question,
    created_at: s.createdAt,
  });
}

/** A human reply answers the agent turn's InputRequest. A row delete: CDC consumers see it (range deletes they would not). */
export function deletePendingInput(ks: string, accountId: string, sessionId: string, agentTurnId: string): Statement {
  return deleteRow(ks, 'pending_inputs_by_account', {
    account_id: accountId,
    session_id: sessionId,
    turn_id: agentTurnId,
  });
}
