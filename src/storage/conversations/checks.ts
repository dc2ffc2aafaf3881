import { ValidationError } from '../../domain/errors.ts';
import { checkEventTime, checkId, checkText, LIMITS } from '../../domain/limits.ts';
import type { Role } from '../../domain/model.ts';
import type { AppendTurnInput } from './types.ts';

/**
 * The input checks of AgentStore's commands (src/store/store.ts), for the backends that do not run
 * through AgentStore (memory, PostgreSQL): the same fields fail with the same error kinds, in the
 * same order, so every backend refuses bad input alike (the conformance suites check it).
 */
export interface CheckedAppend {
  sessionId: string;
  turnId: string;
  role: Role;
  parentId: string | null;
  prompt: string;
  agentVersion: string | null;
  at: Date;
}

export function checkAppend(input: AppendTurnInput, now: Date): CheckedAppend {
  const sessionId = checkId('sessionId', input?.sessionId);
  const turnId = checkId('turnId', input.turnId);
  if (input.role !== 'human' && input.role !== 'agent')
    throw new ValidationError('role', `must be "human" or "agent", got ${JSON.stringify(input.role)}`);
  const parentId = input.parentId === null || input.parentId === undefined ? null : checkId('parentId', input.parentId);
  const prompt = input.role === 'human' ? checkText('prompt', input.prompt, LIMITS.promptBytes) : '';
  if (input.role === 'agent' && input.prompt)
    throw new ValidationError('prompt', 'agent turns have no prompt: write their output as steps (addSteps)');
  const agentVersion =
    input.role === 'agent' && input.agentVersion !== undefined ? checkId('agentVersion', input.agentVersion) : null;
  if (input.role === 'human' && input.agentVersion !== undefined)
    throw new ValidationError('agentVersion', 'only agent turns have an agent version');
  const at = input.at ? checkEventTime('at', input.at, now) : now;
  if (parentId === null && input.role === 'agent')
    throw new ValidationError('parentId', "an agent turn answers a human turn: give the human turn's id");
  return { sessionId, turnId, role: input.role, parentId, prompt, agentVersion, at };
}

/** The parent rules, once the parent is loaded. */
export function checkParent(a: CheckedAppend, parent: { sessionId: string; role: Role } | null): void {
  if (!parent) return;
  if (parent.sessionId !== a.sessionId)
    throw new ValidationError(
      'parentId',
      `turn "${a.parentId}" belongs to session "${parent.sessionId}", not "${a.sessionId}"`,
    );
  if (parent.role === a.role)
    throw new ValidationError(
      'parentId',
      `a ${a.role} turn cannot follow a ${parent.role} turn ("${a.parentId}"): turns alternate human, agent, human, ...`,
    );
}

export const anotherTurn = (turnId: string) =>
  new ValidationError('turnId', `"${turnId}" is already used by another turn; use a new id`);

/** regenerate = an agent turn appended to the original's parent; the rules every backend shares. */
export function regenerateAppend(
  original: { sessionId: string; role: Role; parentId: string | null },
  input: { newTurnId: string; agentVersion?: string; at?: Date },
): AppendTurnInput {
  if (original.role !== 'agent')
    throw new ValidationError(
      'turnId',
      'only agent turns can be regenerated; edit a human turn by appending a sibling',
    );
  return {
    sessionId: original.sessionId,
    turnId: input.newTurnId,
    role: 'agent',
    parentId: original.parentId,
    ...(input.agentVersion !== undefined ? { agentVersion: input.agentVersion } : {}),
    ...(input.at ? { at: input.at } : {}),
  };
}

export function checkSwitch(input: { sessionId: string; parentId: string | null; childId: string }) {
  return {
    sessionId: checkId('sessionId', input?.sessionId),
    childId: checkId('childId', input.childId),
    parentId: input.parentId === null ? null : checkId('parentId', input.parentId),
  };
}

/** The child must be a child of `parentId` in the session. */
export function checkChild(
  s: { sessionId: string; parentId: string | null; childId: string },
  child: { sessionId: string; parentId: string | null },
): void {
  if (child.sessionId !== s.sessionId)
    throw new ValidationError('childId', `turn "${s.childId}" is not in session "${s.sessionId}"`);
  if (child.parentId !== s.parentId)
    throw new ValidationError(
      'childId',
      `turn "${s.childId}" is not a child of ${s.parentId === null ? 'the session root' : `"${s.parentId}"`}`,
    );
}
