import type { Statement } from '../cql/executor.ts';
import { StepType } from '../domain/step-types.ts';
import {
  insertPendingInput,
  insertSession,
  insertStep,
  insertTurn,
  lastActivityWrites,
  ROOT,
  sessionIndexWrites,
  setActiveChild,
  stepIndexWrites,
  turnIndexWrites,
} from '../store/writes.ts';
import type { SessionModel } from './generator.ts';

/**
 * Every statement that stores one generated session in its final state: the same row layout the
 * store writes (src/store/writes.ts), without the store's reads and claims, since the generator's
 * DAG is valid by construction. All statements are upserts, so seeding twice changes nothing.
 */
export function sessionStatements(ks: string, model: SessionModel): Statement[] {
  const { session } = model;
  const out: Statement[] = [insertSession(ks, session), ...sessionIndexWrites(ks, session)];
  const turns = new Map(model.turns.map((t) => [t.turnId, t]));
  for (const t of model.turns) {
    out.push(insertTurn(ks, t, session.createdAt), ...turnIndexWrites(ks, t, session));
  }
  for (const [parentId, childId] of model.active) {
    out.push(setActiveChild(ks, session.sessionId, parentId === ROOT ? null : turns.get(parentId)!, childId));
  }
  const lastStepOfTurn = new Map<string, Date>();
  for (const s of model.steps) {
    const turn = turns.get(s.turnId)!;
    const parsed: unknown = JSON.parse(s.content);
    out.push(insertStep(ks, s, turn.createdAt), ...stepIndexWrites(ks, s, turn.createdAt, parsed));
    if (s.type === StepType.InputRequest && model.pending.has(s.turnId)) {
      out.push(insertPendingInput(ks, s, (parsed as { question: string }).question));
    }
    const prev = lastStepOfTurn.get(s.turnId);
    if (!prev || prev < s.createdAt) lastStepOfTurn.set(s.turnId, s.createdAt);
  }
  for (const at of lastStepOfTurn.values()) out.push(...lastActivityWrites(ks, session, at));
  return out;
}
