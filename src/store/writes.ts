import type { Statement } from '../cql/executor.ts';
import { dayOf, monthOf, type Session, type Step, type Turn } from '../domain/model.ts';
import { labelOf } from '../domain/step-types.ts';
import { bucketOfId, versionOwner } from '../schema/buckets.ts';
import { deleteRow, insert, update } from './statements.ts';

/**
 * Where each row goes. Pure functions from validated entities to CQL statements: the store runs
 * them after its checks (in logged batches), the seeder runs the same statements in bulk. Keeping
 * one plan means the seeded data and live writes can never disagree on layout.
 *
 * Every key is an identity (ids, the fixed time of a session or turn, a bucket derived from an id),
 * never a value a later write can change; what can change (a step's type, duration, content, label,
 * score) is a regular column, so a rewrite replaces a row instead of adding one.
 */

export const micros = (at: Date): bigint => BigInt(at.getTime()) * 1000n;

/** The parent key of a root turn: CQL clustering columns cannot be null. */
export const ROOT = '';

/**
 * How many buckets an owner's partitions have on a day (src/schema/buckets.ts): an account's, or an
 * agent version's (versionOwner). The caller resolves the owners' schedules, so building statements
 * stays synchronous.
 */
export type DayBuckets = (owner: string, day: string) => number;

/**
 * last_activity is a max-register for live writes: each carries the activity time as its write
 * timestamp, so last-write-wins keeps the latest activity whatever order writes (or retries) arrive
 * in. A bulk load writes the final value once, untimestamped (`ordered` false): ScyllaDB refuses a
 * CDC-table write timestamped before its current CDC generation, and history is older. It lives on
 * the session's own row only: P2 reads it from there, so no account-wide partition takes a write
 * per turn.
 */
export function lastActivityWrite(ks: string, sessionId: string, at: Date, ordered = true): Statement {
  return update(
    ks,
    'sessions',
    { last_activity: at },
    { session_id: sessionId },
    ordered ? { writeTimeUs: micros(at) } : {},
  );
}

export function insertSession(ks: string, s: Session, ifNotExists = false) {
  return insert(
    ks,
    'sessions',
    { session_id: s.sessionId, account_id: s.accountId, title: s.title, created_at: s.createdAt },
    { ifNotExists },
  );
}

/** The session's row in P2's list (month partition, bucket of the session's id on its creation day). */
export function sessionIndexWrite(ks: string, s: Session, buckets: DayBuckets): Statement {
  return insert(ks, 'sessions_by_account_month_bucket', {
    account_id: s.accountId,
    month: monthOf(s.createdAt),
    bucket: bucketOfId(s.sessionId, buckets(s.accountId, dayOf(s.createdAt))),
    created_at: s.createdAt,
    session_id: s.sessionId,
    title: s.title,
  });
}

/** P2's directory row: the account created sessions in this month. The same row for every session of the month. */
export function sessionMonthWrite(ks: string, s: Pick<Session, 'accountId' | 'createdAt'>): Statement {
  return insert(ks, 'session_months_by_account', { account_id: s.accountId, month: monthOf(s.createdAt) });
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

/** The bucket of a turn's rows (and its steps' and pending inputs') in the account-day tables. */
export const turnBucket = (t: Pick<Turn, 'turnId' | 'accountId'>, turnCreatedAt: Date, buckets: DayBuckets): number =>
  bucketOfId(t.turnId, buckets(t.accountId, dayOf(turnCreatedAt)));

export function turnIndexWrites(ks: string, t: Turn, buckets: DayBuckets): Statement[] {
  const day = dayOf(t.createdAt);
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
    insert(ks, 'turns_by_account_day_bucket', {
      account_id: t.accountId,
      day,
      bucket: turnBucket(t, t.createdAt, buckets),
      role: t.role,
      created_at: t.createdAt,
      turn_id: t.turnId,
      session_id: t.sessionId,
    }),
  ];
  if (t.role === 'agent' && t.agentVersion) {
    out.push(
      insert(ks, 'agent_turns_by_version_day_bucket', {
        agent_version: t.agentVersion,
        day,
        bucket: bucketOfId(t.turnId, buckets(versionOwner(t.agentVersion), day)),
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

/**
 * A step's row. The store gives it and the step's analytics row one write time (its clock), so both
 * rows settle on the same version whatever order two rewrites arrive in; a bulk load writes the
 * versions in order and leaves the timestamps to the driver.
 */
export function insertStep(ks: string, s: Step, turnCreatedAt: Date, writeTimeUs?: bigint): Statement {
  return insert(
    ks,
    'steps_by_turn',
    {
      turn_id: s.turnId,
      idx: s.idx,
      session_id: s.sessionId,
      account_id: s.accountId,
      step_type: s.type,
      content: s.content,
      created_at: s.createdAt,
      duration_ms: s.durationMs,
      turn_created_at: turnCreatedAt,
    },
    writeTimeUs === undefined ? {} : { writeTimeUs },
  );
}

/**
 * The step's analytics row, keyed by (turn_id, idx) in its turn's day and bucket: the turn's time is
 * fixed once claimed, so a retried or rewritten step lands on the same row. Label and score are
 * written only for the types that carry them; a rewrite to another type leaves the old cells, which
 * readers ignore because they read a label only where step_type says there is one (no tombstones).
 */
export function stepIndexWrite(
  ks: string,
  s: Step,
  turnCreatedAt: Date,
  parsed: unknown,
  buckets: DayBuckets,
  writeTimeUs?: bigint,
): Statement {
  const label = labelOf(s.type, parsed);
  return insert(
    ks,
    'steps_by_account_day_bucket',
    {
      account_id: s.accountId,
      day: dayOf(turnCreatedAt),
      bucket: turnBucket(s, turnCreatedAt, buckets),
      turn_id: s.turnId,
      idx: s.idx,
      session_id: s.sessionId,
      step_type: s.type,
      duration_ms: s.durationMs,
      ...(label ? { label: label.label, score: label.score } : {}),
    },
    writeTimeUs === undefined ? {} : { writeTimeUs },
  );
}

/** The InputRequest step whose pending row a write names. */
export interface PendingStep {
  accountId: string;
  sessionId: string;
  turnId: string;
  idx: number;
}

function pendingKey(p: PendingStep, turnCreatedAt: Date, buckets: DayBuckets) {
  return {
    account_id: p.accountId,
    day: dayOf(turnCreatedAt),
    bucket: turnBucket(p, turnCreatedAt, buckets),
    session_id: p.sessionId,
    turn_id: p.turnId,
    idx: p.idx,
  };
}

/** An open InputRequest (src/store/pending.ts says how its timestamps order it against its closing). */
export function insertPendingInput(
  ks: string,
  s: Step,
  question: string,
  turnCreatedAt: Date,
  buckets: DayBuckets,
  writeTimeUs?: bigint,
): Statement {
  return insert(
    ks,
    'pending_inputs_by_account_day_bucket',
    { ...pendingKey(s, turnCreatedAt, buckets), question, created_at: s.createdAt },
    writeTimeUs === undefined ? {} : { writeTimeUs },
  );
}

/**
 * The request closes (answered, regenerated, rewritten to another type). A row delete: CDC
 * consumers see it (range deletes they would not).
 */
export function deletePendingInput(
  ks: string,
  p: PendingStep,
  turnCreatedAt: Date,
  buckets: DayBuckets,
  writeTimeUs?: bigint,
): Statement {
  return deleteRow(
    ks,
    'pending_inputs_by_account_day_bucket',
    pendingKey(p, turnCreatedAt, buckets),
    writeTimeUs === undefined ? {} : { writeTimeUs },
  );
}

/** The question of an InputRequest step's validated content. */
export const questionOf = (parsed: unknown): string => (parsed as { question: string }).question;
