// Hand-built session models for the ground-truth tests: every expected answer in those tests is worked out by
// hand from these few turns and steps, never computed by the code under test.
import type { Role, Session, Step, Turn } from '../../src/domain/model.ts';
import type { StepType } from '../../src/domain/step-types.ts';
import type { SessionModel } from '../../src/seed/generator.ts';

export const at = (iso: string): Date => new Date(iso);

/** Builds a session model by hand: turns in creation order, each agent turn with its steps timed off the turn. */
export function model(
  session: Session,
  turns: {
    id: string;
    role: Role;
    parent: string | null;
    at: string;
    prompt?: string;
    version?: string;
    steps?: [StepType, unknown, number][];
    /** ms from the turn's creation to its first step (default 0) */
    firstStepAfterMs?: number;
  }[],
  active: [string, string][],
  pending: string[],
): SessionModel {
  const { sessionId, accountId } = session;
  const out: SessionModel = {
    session,
    turns: [],
    steps: [],
    active: new Map(active),
    pending: new Set(pending),
    superseded: [],
  };
  for (const t of turns) {
    const turn: Turn = {
      turnId: t.id,
      sessionId,
      accountId,
      role: t.role,
      parentId: t.parent,
      prompt: t.prompt ?? '',
      agentVersion: t.role === 'agent' ? (t.version ?? 'v1') : null,
      createdAt: at(t.at),
    };
    out.turns.push(turn);
    let time = turn.createdAt.getTime() + (t.firstStepAfterMs ?? 0);
    (t.steps ?? []).forEach(([type, content, durationMs], idx) => {
      const step: Step = {
        turnId: t.id,
        sessionId,
        accountId,
        idx,
        type,
        content: JSON.stringify(content),
        createdAt: new Date(time),
        durationMs,
      };
      out.steps.push(step);
      time += durationMs;
    });
  }
  return out;
}

export const cls = (label: string, score: number) => ({ label, score });
export const text = (t: string) => ({ text: t });
