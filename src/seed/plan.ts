import type { Statement } from '../cql/executor.ts';
import type { Step, Turn } from '../domain/model.ts';
import { StepType } from '../domain/step-types.ts';
import {
  deletePendingInput,
  insertPendingInput,
  insertSession,
  insertStep,
  insertTurn,
  lastActivityWrite,
  questionOf,
  ROOT,
  sessionIndexWrite,
  setActiveChild,
  stepIndexWrite,
  turnIndexWrites,
  type DayBuckets,
} from '../store/writes.ts';
import { laterTurn, type SessionModel } from './generator.ts';

/**
 * Every statement that stores one generated session with its history, in phases: the same row
 * layout the store writes (src/store/writes.ts), without the store's reads and claims, since the
 * generator's DAG is valid by construction. The statements of a phase may run concurrently and in
 * any order; a phase runs after the one before it has completed. Phase k writes the k-th version of
 * every rewritten step (with its analytics row and pending input), the last phase also closes the
 * questions that were answered, so versions land in their order with the driver's increasing
 * timestamps: a bulk load cannot timestamp rows with their events' times, which ScyllaDB refuses
 * on CDC tables for anything older than its current CDC generation (src/store/pending.ts).
 * Seeding twice changes nothing. P2's month directory rows are left to the caller
 * (sessionMonthWrite), which writes each once.
 */
export function sessionStatements(ks: string, model: SessionModel, buckets: DayBuckets): Statement[][] {
  const { session } = model;
  const phases: Statement[][] = [[insertSession(ks, session), sessionIndexWrite(ks, session, buckets)]];
  const at = (k: number) => (phases[k] ??= []);
  const turns = new Map(model.turns.map((t) => [t.turnId, t]));
  for (const t of model.turns) at(0).push(insertTurn(ks, t, session.createdAt), ...turnIndexWrites(ks, t, buckets));
  for (const [parentId, childId] of model.active) {
    at(0).push(setActiveChild(ks, session.sessionId, parentId === ROOT ? null : turns.get(parentId)!, childId));
  }
  let last = session.createdAt.getTime();
  for (const t of model.turns) last = Math.max(last, t.createdAt.getTime());
  for (const { step: s, rank } of ranked(model)) {
    const turn = turns.get(s.turnId)!;
    at(rank).push(
      insertStep(ks, s, turn.createdAt),
      stepIndexWrite(ks, s, turn.createdAt, JSON.parse(s.content), buckets),
    );
  }
  for (const s of model.steps) last = Math.max(last, s.createdAt.getTime());
  for (const turn of model.turns) pendingHistory(ks, turn, model, buckets, at);
  at(phases.length - 1).push(lastActivityWrite(ks, session.sessionId, new Date(last), false));
  return phases.filter((p) => p.length);
}

/** Every version of every step, with its rank among the versions of its (turn, idx): 0 the first. */
function ranked(model: SessionModel): { step: Step; rank: number }[] {
  const seen = new Map<string, number>();
  return [...model.superseded, ...model.steps]
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((step) => {
      const key = `${step.turnId}\x1f${step.idx}`;
      const rank = seen.get(key) ?? 0;
      seen.set(key, rank + 1);
      return { step, rank };
    });
}

/**
 * What the store writes to pending_inputs over a turn's life: each InputRequest version opens its
 * row in its version's phase, a rewrite to another type closes it in the rewrite's phase, and the
 * turn's first answer (a human reply, or a newer agent turn for the same human turn) closes every
 * row in a phase after all of them. A version written after that answer is not opened (the store
 * would open it and close it again at once).
 */
function pendingHistory(
  ks: string,
  turn: Turn,
  model: SessionModel,
  buckets: DayBuckets,
  at: (phase: number) => Statement[],
): void {
  const history = ranked(model).filter((v) => v.step.turnId === turn.turnId);
  if (!history.some((v) => v.step.type === StepType.InputRequest)) return;
  const closedAt = closingEvent(turn, model.turns);
  const open = new Set<number>();
  let lastPhase = 0;
  for (const { step: v, rank } of history) {
    lastPhase = Math.max(lastPhase, rank);
    if (closedAt !== null && v.createdAt.getTime() >= closedAt.getTime()) continue;
    if (v.type === StepType.InputRequest) {
      at(rank).push(insertPendingInput(ks, v, questionOf(JSON.parse(v.content)), turn.createdAt, buckets));
      open.add(v.idx);
    } else if (open.delete(v.idx)) {
      at(rank).push(deletePendingInput(ks, v, turn.createdAt, buckets));
    }
  }
  if (closedAt !== null)
    for (const idx of open) at(lastPhase + 1).push(deletePendingInput(ks, { ...turn, idx }, turn.createdAt, buckets));
}

/** When an agent turn's questions close: its first human answer or the first newer agent answer to its human turn. */
function closingEvent(turn: Turn, turns: readonly Turn[]): Date | null {
  let first: Date | null = null;
  for (const t of turns) {
    const closes =
      (t.role === 'human' && t.parentId === turn.turnId) ||
      (t.role === 'agent' && t.parentId === turn.parentId && laterTurn(t, turn));
    if (closes && (!first || t.createdAt < first)) first = t.createdAt;
  }
  return first;
}
