import { ConflictError, ValidationError } from '../../domain/errors.ts';
import { checkDuration, checkEventTime, checkId, checkText } from '../../domain/limits.ts';
import type { Step, Turn } from '../../domain/model.ts';
import type { BranchTurn, Page, PageRequest, Sibling, StepItem } from '../../domain/queries.ts';
import { checkLimit, decodeCursor, encodeCursor } from '../../domain/query-args.ts';
import type { StepInput } from '../../domain/step-input.ts';
import type { AppendTurnInput } from '../../store/store.ts';

export type { AppendTurnInput, StepInput };

export type TurnStatus = 'ok' | 'error' | 'cancelled';
const TURN_STATUSES: readonly TurnStatus[] = ['ok', 'error', 'cancelled'];

export interface CompleteTurnInput {
  turnId: string;
  status: TurnStatus;
  /** Why the turn failed; only with status "error". */
  error?: string;
  model?: string;
  tokensIn?: number;
  tokensOut?: number;
  /** Processing time of the turn. */
  durationMs?: number;
  at?: Date;
}

/** A completed agent turn: what SessionStore.metrics adds up. */
export interface TurnCompletion {
  turnId: string;
  sessionId: string;
  status: TurnStatus;
  error: string | null;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  durationMs: number;
  completedAt: string;
}

/**
 * The conversation DAG (AgentStore's commands: src/store/store.ts) plus agent-turn completion and
 * the active branch as a paged history. Every command is idempotent by its caller-chosen ids.
 */
export interface ConversationStore {
  appendTurn(input: AppendTurnInput): Promise<Turn>;
  addSteps(input: { turnId: string; steps: StepInput[] }): Promise<Step[]>;
  regenerate(input: { turnId: string; newTurnId: string; agentVersion?: string; at?: Date }): Promise<Turn>;
  switchBranch(input: { sessionId: string; parentId: string | null; childId: string }): Promise<void>;
  /**
   * Records how an agent turn ended. A turn completes once: the same completion again is a no-op
   * (returns the stored one), a different one a ConflictError.
   */
  completeTurn(input: CompleteTurnInput): Promise<TurnCompletion>;
  completion(turnId: string): Promise<TurnCompletion | null>;
  /** The active branch, root first, paged; a cursor is the last turn of the previous page. */
  history(sessionId: string, page: PageRequest): Promise<Page<BranchTurn>>;
  steps(turnId: string, page: PageRequest): Promise<Page<StepItem>>;
  siblings(turnId: string): Promise<Sibling[]>;
}

/** Token counts per turn: an int column in both backends. */
const MAX_TOKENS = 2_000_000_000;
const COMPLETION_LIMITS = { errorBytes: 4096, modelLength: 128 } as const;

function checkCount(field: string, v: unknown): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_TOKENS)
    throw new ValidationError(field, `must be an integer from 0 to ${MAX_TOKENS}`);
  return v as number;
}

/** Checks a completion before anything is read or written; `sessionId` and the time are filled in by the store. */
export function checkCompletion(i: CompleteTurnInput, now: Date): Omit<TurnCompletion, 'sessionId'> {
  const turnId = checkId('turnId', i?.turnId);
  if (!TURN_STATUSES.includes(i.status))
    throw new ValidationError('status', `must be one of ${TURN_STATUSES.join(', ')}, got ${JSON.stringify(i.status)}`);
  if (i.error !== undefined && i.status !== 'error')
    throw new ValidationError('error', 'only a turn that ended with status "error" has an error');
  const error = i.error === undefined ? null : checkText('error', i.error, COMPLETION_LIMITS.errorBytes);
  const model = i.model === undefined ? null : checkText('model', i.model, COMPLETION_LIMITS.modelLength);
  return {
    turnId,
    status: i.status,
    error,
    model,
    tokensIn: checkCount('tokensIn', i.tokensIn),
    tokensOut: checkCount('tokensOut', i.tokensOut),
    durationMs: i.durationMs === undefined ? 0 : checkDuration('durationMs', i.durationMs),
    completedAt: (i.at ? checkEventTime('at', i.at, now) : now).toISOString(),
  };
}

/** A completion stored before: the same one again is a retry (its time aside), another one a conflict. */
export function settleCompletion(stored: TurnCompletion, wanted: Omit<TurnCompletion, 'sessionId'>): TurnCompletion {
  const same =
    stored.status === wanted.status &&
    stored.error === wanted.error &&
    stored.model === wanted.model &&
    stored.tokensIn === wanted.tokensIn &&
    stored.tokensOut === wanted.tokensOut &&
    stored.durationMs === wanted.durationMs;
  if (!same)
    throw new ConflictError(
      'turnId',
      `turn "${stored.turnId}" already completed (status ${stored.status}) with other values; a turn completes once`,
    );
  return stored;
}

/** One page of a branch: the turns after the cursor's turn. The branch is bounded (LIMITS.turnsPerSession). */
export function pageOfBranch(branch: BranchTurn[], page: PageRequest): Page<BranchTurn> {
  const limit = checkLimit(page);
  const after = decodeCursor<string>(page.cursor);
  let start = 0;
  if (after !== undefined) {
    const at = branch.findIndex((t) => t.turnId === after);
    if (at < 0)
      throw new ValidationError(
        'cursor',
        'its turn is no longer on the active branch (switched); start again without one',
      );
    start = at + 1;
  }
  const items = branch.slice(start, start + limit);
  return start + limit < branch.length ? { items, cursor: encodeCursor(items[items.length - 1]!.turnId) } : { items };
}
