import { applied, type CqlExecutor } from '../../cql/executor.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { checkId } from '../../domain/limits.ts';
import type { Role, Step, Turn } from '../../domain/model.ts';
import type { BranchTurn, Page, PageRequest, Sibling, StepItem } from '../../domain/queries.ts';
import { checkSteps } from '../../domain/step-input.ts';
import type { CqlQueries } from '../../store/queries.ts';
import { insert, select } from '../../store/statements.ts';
import type { AgentStore } from '../../store/store.ts';
import type { Clock } from '../component.ts';
import type { CqlSessionStore } from '../sessions/cql.ts';
import { checkOpen } from '../sessions/types.ts';
import { checkAppend, regenerateAppend } from './checks.ts';
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

/**
 * ConversationStore on the CQL write model: AgentStore's commands and CqlQueries' key queries (P1,
 * P3, P4), plus the session's lifecycle (an ended session takes no more turns) and agent-turn
 * completions in turn_completions_by_session, claimed with IF NOT EXISTS so a replay counts once.
 */
export class CqlConversationStore implements ConversationStore {
  constructor(
    private readonly exec: CqlExecutor,
    private readonly ks: string,
    private readonly clock: Clock,
    private readonly store: AgentStore,
    private readonly queries: CqlQueries,
    private readonly sessions: CqlSessionStore,
  ) {}

  async appendTurn(input: AppendTurnInput): Promise<Turn> {
    const a = checkAppend(input, this.clock.now());
    checkOpen(a.sessionId, (await this.sessions.state(a.sessionId)).status);
    return this.store.appendTurn(input);
  }

  async regenerate(input: { turnId: string; newTurnId: string; agentVersion?: string; at?: Date }): Promise<Turn> {
    return this.appendTurn(regenerateAppend(await this.loadTurn(checkId('turnId', input?.turnId), 'turnId'), input));
  }

  switchBranch(input: { sessionId: string; parentId: string | null; childId: string }): Promise<void> {
    return this.store.switchBranch(input);
  }

  async addSteps(input: { turnId: string; steps: StepInput[] }): Promise<Step[]> {
    checkSteps(input, this.clock.now());
    const turn = await this.findTurn(input.turnId);
    if (turn) checkOpen(turn.sessionId, (await this.sessions.state(turn.sessionId)).status);
    return this.store.addSteps(input);
  }

  async completeTurn(input: CompleteTurnInput): Promise<TurnCompletion> {
    const c = checkCompletion(input, this.clock.now());
    const turn = await this.loadTurn(c.turnId, 'turnId');
    if (turn.role !== 'agent')
      throw new ValidationError('turnId', `"${c.turnId}" is a human turn; only agent turns complete`);
    const done: TurnCompletion = { ...c, sessionId: turn.sessionId };
    const page = await this.exec.run(
      insert(
        this.ks,
        'turn_completions_by_session',
        {
          session_id: turn.sessionId,
          turn_id: c.turnId,
          status: c.status,
          error: c.error,
          model: c.model,
          tokens_in: c.tokensIn,
          tokens_out: c.tokensOut,
          duration_ms: c.durationMs,
          completed_at: new Date(c.completedAt),
        },
        { ifNotExists: true },
      ),
      { serial: true },
    );
    if (applied(page)) return done;
    return settleCompletion((await this.completion(c.turnId))!, c);
  }

  async completion(turnId: string): Promise<TurnCompletion | null> {
    const turn = await this.findTurn(checkId('turnId', turnId));
    if (!turn) return null;
    const page = await this.exec.run(
      select(
        this.ks,
        'turn_completions_by_session',
        ['status', 'error', 'model', 'tokens_in', 'tokens_out', 'duration_ms', 'completed_at'],
        'session_id = ? AND turn_id = ?',
        [turn.sessionId, turnId],
      ),
    );
    const r = page.rows[0];
    if (!r?.status) return null;
    return {
      turnId,
      sessionId: turn.sessionId,
      status: r.status as TurnCompletion['status'],
      error: r.error,
      model: r.model,
      tokensIn: r.tokens_in ?? 0,
      tokensOut: r.tokens_out ?? 0,
      durationMs: r.duration_ms ?? 0,
      completedAt: r.completed_at!.toISOString(),
    };
  }

  async history(sessionId: string, page: PageRequest): Promise<Page<BranchTurn>> {
    checkId('sessionId', sessionId);
    return pageOfBranch(await this.queries.activeBranch(sessionId), page);
  }

  steps(turnId: string, page: PageRequest): Promise<Page<StepItem>> {
    checkId('turnId', turnId);
    return this.queries.turnSteps(turnId, page);
  }

  siblings(turnId: string): Promise<Sibling[]> {
    checkId('turnId', turnId);
    return this.queries.siblings(turnId);
  }

  private async findTurn(turnId: string): Promise<{ sessionId: string; role: Role; parentId: string | null } | null> {
    const page = await this.exec.run(
      select(this.ks, 'turns', ['session_id', 'role', 'parent_id'], 'turn_id = ?', [turnId]),
    );
    const r = page.rows[0];
    if (!r?.session_id) return null;
    return { sessionId: r.session_id, role: r.role!, parentId: r.parent_id ? r.parent_id : null };
  }

  private async loadTurn(turnId: string, field: string) {
    const t = await this.findTurn(turnId);
    if (!t) throw new NotFoundError(field, `no turn "${turnId}"`);
    return t;
  }
}
