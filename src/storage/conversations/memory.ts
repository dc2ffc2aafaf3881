import { LimitError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { checkId, LIMITS } from '../../domain/limits.ts';
import type { Step, Turn } from '../../domain/model.ts';
import type { BranchTurn, Page, PageRequest, Sibling, StepItem } from '../../domain/queries.ts';
import { checkLimit, decodeCursor, encodeCursor } from '../../domain/query-args.ts';
import { stepTypeName } from '../../domain/step-types.ts';
import { checkSteps } from '../../domain/step-input.ts';
import type { Clock } from '../component.ts';
import type { MemoryState, MemoryTurn } from '../memory-state.ts';
import { checkOpen } from '../sessions/types.ts';
import { anotherTurn, checkAppend, checkParent, regenerateAppend, checkChild, checkSwitch } from './checks.ts';
import {
  checkCompletion,
  pageOfBranch,
  settleCompletion,
  type AppendTurnInput,
  type CompleteTurnInput,
  type ConversationStore,
  type StepInput,
  type TurnCompletion,
} from './types.ts';

const byTime = (a: MemoryTurn, b: MemoryTurn) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.turnId < b.turnId ? -1 : a.turnId > b.turnId ? 1 : 0);

/** The reference ConversationStore: AgentStore's DAG rules over plain maps. */
export class MemoryConversationStore implements ConversationStore {
  constructor(
    private readonly state: MemoryState,
    private readonly clock: Clock,
  ) {}

  async appendTurn(input: AppendTurnInput): Promise<Turn> {
    const a = checkAppend(input, this.clock.now());
    const session = this.state.sessions.get(a.sessionId);
    if (!session) throw new NotFoundError('sessionId', `no session "${a.sessionId}": create it first (createSession)`);
    const parent = a.parentId === null ? null : this.loadTurn(a.parentId, 'parentId');
    checkParent(a, parent);
    checkOpen(a.sessionId, session.status);
    const stored = this.state.turns.get(a.turnId);
    let createdAt = a.at;
    if (stored) {
      if (stored.sessionId !== a.sessionId || stored.role !== a.role || stored.parentId !== a.parentId)
        throw anotherTurn(a.turnId);
      createdAt = stored.createdAt;
    } else {
      const count = this.state.turnsOf(a.sessionId).length;
      if (count >= LIMITS.turnsPerSession)
        throw new LimitError(
          'sessionId',
          `session "${a.sessionId}" has ${count} turns, the most a session holds (${LIMITS.turnsPerSession}): continue in a new session`,
        );
      this.state.turns.set(a.turnId, {
        turnId: a.turnId,
        sessionId: a.sessionId,
        accountId: session.accountId,
        role: a.role,
        parentId: a.parentId,
        prompt: a.prompt,
        agentVersion: a.agentVersion,
        createdAt,
        activeChild: null,
      });
    }
    if (parent) parent.activeChild = a.turnId;
    else session.activeRoot = a.turnId;
    this.state.touch(a.sessionId, createdAt);
    return {
      turnId: a.turnId,
      sessionId: a.sessionId,
      accountId: session.accountId,
      role: a.role,
      parentId: a.parentId,
      prompt: a.prompt,
      agentVersion: a.agentVersion,
      createdAt,
    };
  }

  async regenerate(input: { turnId: string; newTurnId: string; agentVersion?: string; at?: Date }): Promise<Turn> {
    return this.appendTurn(regenerateAppend(this.loadTurn(checkId('turnId', input?.turnId), 'turnId'), input));
  }

  async switchBranch(input: { sessionId: string; parentId: string | null; childId: string }): Promise<void> {
    const sw = checkSwitch(input);
    const { sessionId, childId, parentId } = sw;
    const child = this.loadTurn(childId, 'childId');
    checkChild(sw, child);
    const parent = parentId === null ? null : this.loadTurn(parentId, 'parentId');
    if (parent) parent.activeChild = childId;
    else this.state.sessions.get(sessionId)!.activeRoot = childId;
  }

  async addSteps(input: { turnId: string; steps: StepInput[] }): Promise<Step[]> {
    const { turnId, steps } = checkSteps(input, this.clock.now());
    const turn = this.loadTurn(turnId, 'turnId');
    if (turn.role !== 'agent')
      throw new ValidationError('turnId', `"${turnId}" is a human turn; steps belong to agent turns`);
    checkOpen(turn.sessionId, this.state.sessions.get(turn.sessionId)!.status);
    const rows = this.state.steps.get(turnId) ?? new Map<number, Step>();
    this.state.steps.set(turnId, rows);
    const out = steps.map((s) => {
      const step: Step = {
        turnId,
        sessionId: turn.sessionId,
        accountId: turn.accountId,
        idx: s.idx,
        type: s.type,
        content: s.content.text,
        createdAt: s.at,
        durationMs: s.durationMs,
      };
      rows.set(s.idx, step);
      return step;
    });
    this.state.touch(turn.sessionId, new Date(Math.max(...steps.map((s) => s.at.getTime()))));
    return out;
  }

  async completeTurn(input: CompleteTurnInput): Promise<TurnCompletion> {
    const c = checkCompletion(input, this.clock.now());
    const turn = this.loadTurn(c.turnId, 'turnId');
    if (turn.role !== 'agent')
      throw new ValidationError('turnId', `"${c.turnId}" is a human turn; only agent turns complete`);
    const stored = this.state.completions.get(c.turnId);
    if (stored) return settleCompletion(stored, c);
    const done = { ...c, sessionId: turn.sessionId };
    this.state.completions.set(c.turnId, done);
    return done;
  }

  async completion(turnId: string): Promise<TurnCompletion | null> {
    return this.state.completions.get(checkId('turnId', turnId)) ?? null;
  }

  async history(sessionId: string, page: PageRequest): Promise<Page<BranchTurn>> {
    checkId('sessionId', sessionId);
    const session = this.state.sessions.get(sessionId);
    const branch: BranchTurn[] = [];
    for (let id = session?.activeRoot ?? null; id && branch.length < LIMITS.turnsPerSession;) {
      const t = this.state.turns.get(id);
      if (!t) break;
      branch.push({
        turnId: t.turnId,
        role: t.role,
        parentId: t.parentId,
        prompt: t.prompt,
        createdAt: t.createdAt.toISOString(),
      });
      id = t.activeChild;
    }
    return pageOfBranch(branch, page);
  }

  async steps(turnId: string, page: PageRequest): Promise<Page<StepItem>> {
    checkId('turnId', turnId);
    const limit = checkLimit(page);
    const after = decodeCursor<number>(page.cursor) ?? -1;
    if (!Number.isInteger(after))
      throw new ValidationError('cursor', 'is not a cursor this query returned; start again without one');
    const all = [...(this.state.steps.get(turnId)?.values() ?? [])]
      .filter((s) => s.idx > after)
      .sort((a, b) => a.idx - b.idx);
    const items = all
      .slice(0, limit)
      .map((s) => ({ idx: s.idx, type: stepTypeName(s.type), content: s.content, durationMs: s.durationMs }));
    return all.length > limit ? { items, cursor: encodeCursor(items[items.length - 1]!.idx) } : { items };
  }

  async siblings(turnId: string): Promise<Sibling[]> {
    const me = this.state.turns.get(checkId('turnId', turnId));
    if (!me) return [];
    return this.state
      .turnsOf(me.sessionId)
      .filter((t) => t.parentId === me.parentId && t.role === me.role)
      .sort(byTime)
      .map((t) => ({ turnId: t.turnId, role: t.role, createdAt: t.createdAt.toISOString() }));
  }

  private loadTurn(turnId: string, field: string): MemoryTurn {
    const t = this.state.turns.get(turnId);
    if (!t) throw new NotFoundError(field, `no turn "${turnId}"`);
    return t;
  }
}
