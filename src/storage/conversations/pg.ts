import type pg from 'pg';
import { LimitError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { checkId, LIMITS } from '../../domain/limits.ts';
import type { Role, Step, Turn } from '../../domain/model.ts';
import type { BranchTurn, Page, PageRequest, Sibling, StepItem } from '../../domain/queries.ts';
import { checkSteps } from '../../domain/step-input.ts';
import type { PgQueries } from '../../postgres/queries.ts';
import { inTransaction, TURN_BY_ID } from '../backend/pg-tx.ts';
import type { Clock } from '../component.ts';
import { checkOpen, type SessionStatus } from '../sessions/types.ts';
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

interface PgTurn {
  sessionId: string;
  role: Role;
  parentId: string | null;
  createdAt: Date;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

async function findTurn(q: Queryable, turnId: string): Promise<PgTurn | null> {
  const r = (
    await q.query(
      `SELECT t.session_uid, t.role, t.parent_uid, coalesce(h.created_at, a.created_at) AS created_at FROM (${TURN_BY_ID}) t
         LEFT JOIN human_turns h ON h.uid = t.uid AND t.role = 'human' LEFT JOIN agent_turns a ON a.uid = t.uid AND t.role = 'agent'`,
      [turnId],
    )
  ).rows[0];
  return r
    ? { sessionId: r['session_uid'], role: r['role'], parentId: r['parent_uid'] ?? null, createdAt: r['created_at'] }
    : null;
}

async function loadTurn(q: Queryable, turnId: string, field: string): Promise<PgTurn> {
  const t = await findTurn(q, turnId);
  if (!t) throw new NotFoundError(field, `no turn "${turnId}"`);
  return t;
}

const completionOf = (r: Record<string, unknown>): TurnCompletion => ({
  turnId: r['agent_turn_uid'] as string,
  sessionId: r['session_uid'] as string,
  status: r['status'] as TurnCompletion['status'],
  error: (r['error'] as string | null) ?? null,
  model: (r['model'] as string | null) ?? null,
  tokensIn: r['tokens_in'] as number,
  tokensOut: r['tokens_out'] as number,
  durationMs: r['duration_ms'] as number,
  completedAt: (r['completed_at'] as Date).toISOString(),
});

/**
 * ConversationStore on the normalised schema: the DAG rules of AgentStore, each command in one
 * transaction that locks the session row, so concurrent appends to a session serialise (the turn
 * limit and the active child stay exact) and a failed command leaves nothing behind.
 */
export class PgConversationStore implements ConversationStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly queries: PgQueries,
  ) {}

  async appendTurn(input: AppendTurnInput): Promise<Turn> {
    const a = checkAppend(input, this.clock.now());
    return inTransaction(this.pool, async (tx) => {
      const s = (await tx.query('SELECT account_uid, status FROM sessions WHERE uid = $1 FOR UPDATE', [a.sessionId]))
        .rows[0];
      if (!s) throw new NotFoundError('sessionId', `no session "${a.sessionId}": create it first (createSession)`);
      const parent = a.parentId === null ? null : await loadTurn(tx, a.parentId, 'parentId');
      checkParent(a, parent);
      checkOpen(a.sessionId, s['status'] as SessionStatus);
      const stored = await findTurn(tx, a.turnId);
      let createdAt = a.at;
      if (stored) {
        if (stored.sessionId !== a.sessionId || stored.role !== a.role || stored.parentId !== a.parentId)
          throw anotherTurn(a.turnId);
        createdAt = stored.createdAt;
      } else {
        const n = (
          await tx.query(
            'SELECT (SELECT count(*) FROM human_turns WHERE session_uid = $1) + (SELECT count(*) FROM agent_turns WHERE session_uid = $1) AS n',
            [a.sessionId],
          )
        ).rows[0]!['n'];
        if (Number(n) >= LIMITS.turnsPerSession)
          throw new LimitError(
            'sessionId',
            `session "${a.sessionId}" has ${n} turns, the most a session holds (${LIMITS.turnsPerSession}): continue in a new session`,
          );
        if (a.role === 'human')
          await tx.query(
            'INSERT INTO human_turns (uid, session_uid, parent_uid, prompt, created_at) VALUES ($1, $2, $3, $4, $5)',
            [a.turnId, a.sessionId, a.parentId, a.prompt, createdAt],
          );
        else
          await tx.query(
            'INSERT INTO agent_turns (uid, session_uid, parent_uid, agent_version, created_at) VALUES ($1, $2, $3, $4, $5)',
            [a.turnId, a.sessionId, a.parentId, a.agentVersion, createdAt],
          );
      }
      if (parent)
        await tx.query(`UPDATE ${parent.role}_turns SET active_child = $2 WHERE uid = $1`, [a.parentId, a.turnId]);
      else await tx.query('UPDATE sessions SET active_root = $2 WHERE uid = $1', [a.sessionId, a.turnId]);
      return {
        turnId: a.turnId,
        sessionId: a.sessionId,
        accountId: s['account_uid'],
        role: a.role,
        parentId: a.parentId,
        prompt: a.prompt,
        agentVersion: a.agentVersion,
        createdAt,
      };
    });
  }

  async regenerate(input: { turnId: string; newTurnId: string; agentVersion?: string; at?: Date }): Promise<Turn> {
    return this.appendTurn(
      regenerateAppend(await loadTurn(this.pool, checkId('turnId', input?.turnId), 'turnId'), input),
    );
  }

  async switchBranch(input: { sessionId: string; parentId: string | null; childId: string }): Promise<void> {
    const sw = checkSwitch(input);
    const { sessionId, childId, parentId } = sw;
    const child = await loadTurn(this.pool, childId, 'childId');
    checkChild(sw, child);
    if (parentId === null)
      await this.pool.query('UPDATE sessions SET active_root = $2 WHERE uid = $1', [sessionId, childId]);
    else {
      const parent = await loadTurn(this.pool, parentId, 'parentId');
      await this.pool.query(`UPDATE ${parent.role}_turns SET active_child = $2 WHERE uid = $1`, [parentId, childId]);
    }
  }

  async addSteps(input: { turnId: string; steps: StepInput[] }): Promise<Step[]> {
    const { turnId, steps } = checkSteps(input, this.clock.now());
    return inTransaction(this.pool, async (tx) => {
      const turn = await loadTurn(tx, turnId, 'turnId');
      if (turn.role !== 'agent')
        throw new ValidationError('turnId', `"${turnId}" is a human turn; steps belong to agent turns`);
      const s = (await tx.query('SELECT account_uid, status FROM sessions WHERE uid = $1 FOR SHARE', [turn.sessionId]))
        .rows[0]!;
      checkOpen(turn.sessionId, s['status'] as SessionStatus);
      for (const st of steps)
        await tx.query(
          `INSERT INTO steps (agent_turn_uid, idx, tpe, content, created_at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (agent_turn_uid, idx) DO UPDATE SET tpe = EXCLUDED.tpe, content = EXCLUDED.content, created_at = EXCLUDED.created_at, duration_ms = EXCLUDED.duration_ms`,
          [turnId, st.idx, st.type, st.content.text, st.at, st.durationMs],
        );
      return steps.map((st) => ({
        turnId,
        sessionId: turn.sessionId,
        accountId: s['account_uid'],
        idx: st.idx,
        type: st.type,
        content: st.content.text,
        createdAt: st.at,
        durationMs: st.durationMs,
      }));
    });
  }

  async completeTurn(input: CompleteTurnInput): Promise<TurnCompletion> {
    const c = checkCompletion(input, this.clock.now());
    const turn = await loadTurn(this.pool, c.turnId, 'turnId');
    if (turn.role !== 'agent')
      throw new ValidationError('turnId', `"${c.turnId}" is a human turn; only agent turns complete`);
    const inserted = await this.pool.query(
      `INSERT INTO turn_completions (agent_turn_uid, session_uid, status, error, model, tokens_in, tokens_out, duration_ms, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (agent_turn_uid) DO NOTHING RETURNING *`,
      [
        c.turnId,
        turn.sessionId,
        c.status,
        c.error,
        c.model,
        c.tokensIn,
        c.tokensOut,
        c.durationMs,
        new Date(c.completedAt),
      ],
    );
    if (inserted.rows[0]) return completionOf(inserted.rows[0]);
    return settleCompletion((await this.completion(c.turnId))!, c);
  }

  async completion(turnId: string): Promise<TurnCompletion | null> {
    const r = (
      await this.pool.query('SELECT * FROM turn_completions WHERE agent_turn_uid = $1', [checkId('turnId', turnId)])
    ).rows[0];
    return r ? completionOf(r) : null;
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
}
