import { applied, type CqlExecutor, type Statement } from '../cql/executor.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import {
  checkContent,
  checkDate,
  checkDuration,
  checkId,
  checkStepIdx,
  checkStepType,
  checkText,
  LIMITS,
} from '../domain/limits.ts';
import type { Role, Session, Step, Turn } from '../domain/model.ts';
import { StepType } from '../domain/step-types.ts';
import {
  deletePendingInput,
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
  type TurnKey,
} from './writes.ts';
import { select } from './statements.ts';

export interface Clock {
  now(): Date;
}
const systemClock: Clock = { now: () => new Date() };

export interface CreateSessionInput {
  sessionId: string;
  accountId: string;
  title: string;
  at?: Date;
}

export interface AppendTurnInput {
  sessionId: string;
  turnId: string;
  role: Role;
  parentId: string | null;
  /** Required for human turns; agent turns carry their content in steps. */
  prompt?: string;
  agentVersion?: string;
  at?: Date;
}

export interface StepInput {
  idx: number;
  type: StepType | string;
  /** A JSON object, or its JSON text. */
  content: unknown;
  durationMs: number;
  at?: Date;
}

/** What the store knows of a turn from its lookup row. */
interface StoredTurn extends TurnKey {
  sessionId: string;
  accountId: string;
  role: Role;
  sessionCreatedAt: Date;
}

/**
 * The write side. Every command validates all of its input before the first write, so bad input
 * leaves nothing behind. Commands are idempotent: ids come from the caller, and the one row that
 * fixes a turn's or session's time (its lookup row) is claimed with a lightweight transaction, so
 * a retry reuses the stored time and lands on the same keys instead of duplicating rows.
 */
export class AgentStore {
  constructor(
    private readonly exec: CqlExecutor,
    private readonly keyspace: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async createSession(input: CreateSessionInput): Promise<Session> {
    const session: Session = {
      sessionId: checkId('sessionId', input.sessionId),
      accountId: checkId('accountId', input.accountId),
      title: checkText('title', input.title, LIMITS.titleBytes),
      createdAt: input.at ? checkDate('at', input.at) : this.clock.now(),
    };
    const page = await this.exec.run(insertSession(this.keyspace, session, true), { serial: true });
    if (!applied(page)) {
      const existing = page.rows[0]!;
      if (existing.account_id !== session.accountId) {
        throw new ValidationError(
          'sessionId',
          `"${session.sessionId}" already belongs to another account; use a new id`,
        );
      }
      // A retry: finish with the stored values so every index row gets the same keys.
      session.createdAt = existing.created_at!;
      session.title = existing.title!;
    }
    await this.exec.batch(sessionIndexWrites(this.keyspace, session));
    return session;
  }

  async appendTurn(input: AppendTurnInput): Promise<Turn> {
    const sessionId = checkId('sessionId', input.sessionId);
    const turnId = checkId('turnId', input.turnId);
    if (input.role !== 'human' && input.role !== 'agent') {
      throw new ValidationError('role', `must be "human" or "agent", got ${JSON.stringify(input.role)}`);
    }
    const parentId =
      input.parentId === null || input.parentId === undefined ? null : checkId('parentId', input.parentId);
    const prompt = input.role === 'human' ? checkText('prompt', input.prompt, LIMITS.promptBytes) : '';
    if (input.role === 'agent' && input.prompt) {
      throw new ValidationError('prompt', 'agent turns have no prompt: write their output as steps (addSteps)');
    }
    const agentVersion =
      input.role === 'agent' && input.agentVersion !== undefined ? checkId('agentVersion', input.agentVersion) : null;
    if (input.role === 'human' && input.agentVersion !== undefined) {
      throw new ValidationError('agentVersion', 'only agent turns have an agent version');
    }
    const at = input.at ? checkDate('at', input.at) : this.clock.now();
    if (parentId === null && input.role === 'agent') {
      throw new ValidationError('parentId', "an agent turn answers a human turn: give the human turn's id");
    }

    const session = await this.loadSession(sessionId);
    const parent = parentId === null ? null : await this.loadTurn(parentId, 'parentId');
    if (parent) {
      if (parent.sessionId !== sessionId) {
        throw new ValidationError(
          'parentId',
          `turn "${parentId}" belongs to session "${parent.sessionId}", not "${sessionId}"`,
        );
      }
      if (parent.role === input.role) {
        throw new ValidationError(
          'parentId',
          `a ${input.role} turn cannot follow a ${parent.role} turn ("${parentId}"): turns alternate human, agent, human, ...`,
        );
      }
    }

    const turn: Turn = {
      turnId,
      sessionId,
      accountId: session.accountId,
      role: input.role,
      parentId,
      prompt,
      agentVersion,
      createdAt: at,
    };
    const page = await this.exec.run(insertTurn(this.keyspace, turn, session.createdAt, true), { serial: true });
    if (!applied(page)) {
      const existing = page.rows[0]!;
      const sameTurn =
        existing.session_id === sessionId && existing.role === input.role && existing.parent_id === (parentId ?? ROOT);
      if (!sameTurn) throw new ValidationError('turnId', `"${turnId}" is already used by another turn; use a new id`);
      turn.createdAt = existing.created_at!;
    }

    const writes: Statement[] = [
      ...turnIndexWrites(this.keyspace, turn, session),
      setActiveChild(this.keyspace, sessionId, parent, turnId),
    ];
    if (parent && input.role === 'human')
      writes.push(deletePendingInput(this.keyspace, session.accountId, sessionId, parent.turnId));
    await this.exec.batch(writes);
    return turn;
  }

  /** A new answer to the same human turn: a sibling of `turnId`, which becomes the shown one. */
  async regenerate(input: { turnId: string; newTurnId: string; agentVersion?: string; at?: Date }): Promise<Turn> {
    const original = await this.loadTurn(checkId('turnId', input.turnId), 'turnId');
    if (original.role !== 'agent')
      throw new ValidationError(
        'turnId',
        'only agent turns can be regenerated; edit a human turn by appending a sibling',
      );
    return this.appendTurn({
      sessionId: original.sessionId,
      turnId: input.newTurnId,
      role: 'agent',
      parentId: original.parentId,
      ...(input.agentVersion !== undefined ? { agentVersion: input.agentVersion } : {}),
      ...(input.at ? { at: input.at } : {}),
    });
  }

  /**
   * Shows another child of a turn (or another root, for parentId null). Last write wins, without a
   * lightweight transaction: children are never deleted, so whichever switch wins points at a valid
   * child, and "the latest click wins" is what a user expects. A conditional update would cost four
   * round trips and force every write of that cell (appends too) through Paxos.
   */
  async switchBranch(input: { sessionId: string; parentId: string | null; childId: string }): Promise<void> {
    const sessionId = checkId('sessionId', input.sessionId);
    const childId = checkId('childId', input.childId);
    const parentId = input.parentId === null ? null : checkId('parentId', input.parentId);
    const child = await this.loadTurn(childId, 'childId');
    if (child.sessionId !== sessionId)
      throw new ValidationError('childId', `turn "${childId}" is not in session "${sessionId}"`);
    if (child.parentId !== parentId) {
      throw new ValidationError(
        'childId',
        `turn "${childId}" is not a child of ${parentId === null ? 'the session root' : `"${parentId}"`}`,
      );
    }
    const parent = parentId === null ? null : await this.loadTurn(parentId, 'parentId');
    await this.exec.run(setActiveChild(this.keyspace, sessionId, parent, childId));
  }

  /**
   * Adds steps to an agent turn. All steps are checked before anything is written. The step rows
   * go first (each a single-partition upsert, some up to 64 KiB, too big for a logged batch); the
   * small analytics rows follow in one logged batch. A failed call is retried by the caller and
   * converges, since every write is an upsert on the same keys.
   */
  async addSteps(input: { turnId: string; steps: StepInput[] }): Promise<Step[]> {
    const turnId = checkId('turnId', input.turnId);
    if (!Array.isArray(input.steps) || input.steps.length === 0)
      throw new ValidationError('steps', 'give at least one step');
    if (input.steps.length > LIMITS.stepsPerTurn)
      throw new ValidationError('steps', `at most ${LIMITS.stepsPerTurn} steps per turn`);
    const seen = new Set<number>();
    const now = this.clock.now();
    const checked = input.steps.map((s, i) => {
      const f = `steps[${i}]`;
      const idx = checkStepIdx(`${f}.idx`, s.idx);
      if (seen.has(idx)) throw new ValidationError(`${f}.idx`, `idx ${idx} appears twice in this call`);
      seen.add(idx);
      const type = checkStepType(`${f}.type`, s.type);
      const content = checkContent(`${f}.content`, type, s.content);
      return {
        idx,
        type,
        content,
        durationMs: checkDuration(`${f}.durationMs`, s.durationMs),
        at: s.at ? checkDate(`${f}.at`, s.at) : now,
      };
    });

    const turn = await this.loadTurn(turnId, 'turnId');
    if (turn.role !== 'agent')
      throw new ValidationError('turnId', `"${turnId}" is a human turn; steps belong to agent turns`);
    const asksInput = checked.some((s) => s.type === StepType.InputRequest);
    const answered = asksInput && (await this.hasChildren(turn));

    const steps: Step[] = checked.map((s) => ({
      turnId,
      sessionId: turn.sessionId,
      accountId: turn.accountId,
      idx: s.idx,
      type: s.type,
      content: s.content.text,
      createdAt: s.at,
      durationMs: s.durationMs,
    }));
    await Promise.all(steps.map((s) => this.exec.run(insertStep(this.keyspace, s, turn.createdAt))));

    const derived: Statement[] = [];
    checked.forEach((s, i) => {
      derived.push(...stepIndexWrites(this.keyspace, steps[i]!, turn.createdAt, s.content.parsed));
      if (s.type === StepType.InputRequest && !answered) {
        derived.push(insertPendingInput(this.keyspace, steps[i]!, (s.content.parsed as { question: string }).question));
      }
    });
    const latest = new Date(Math.max(...steps.map((s) => s.createdAt.getTime())));
    const session = { sessionId: turn.sessionId, accountId: turn.accountId, createdAt: turn.sessionCreatedAt };
    derived.push(...lastActivityWrites(this.keyspace, session, latest));
    await this.exec.batch(derived);
    return steps;
  }

  private async loadSession(sessionId: string): Promise<Session> {
    const page = await this.exec.run(
      select(this.keyspace, 'sessions', ['account_id', 'title', 'created_at'], 'session_id = ?', [sessionId]),
    );
    const row = page.rows[0];
    if (!row) throw new NotFoundError('sessionId', `no session "${sessionId}": create it first (createSession)`);
    return { sessionId, accountId: row.account_id!, title: row.title!, createdAt: row.created_at! };
  }

  private async loadTurn(turnId: string, field: string): Promise<StoredTurn> {
    const page = await this.exec.run(
      select(
        this.keyspace,
        'turns',
        ['session_id', 'account_id', 'role', 'parent_id', 'created_at', 'session_created_at'],
        'turn_id = ?',
        [turnId],
      ),
    );
    const row = page.rows[0];
    if (!row) throw new NotFoundError(field, `no turn "${turnId}"`);
    const parent = row.parent_id!;
    return {
      turnId,
      sessionId: row.session_id!,
      accountId: row.account_id!,
      role: row.role!,
      parentId: parent === ROOT ? null : parent,
      createdAt: row.created_at!,
      sessionCreatedAt: row.session_created_at!,
    };
  }

  private async hasChildren(turn: StoredTurn): Promise<boolean> {
    const page = await this.exec.run(
      select(this.keyspace, 'turns_by_session', ['turn_id'], 'session_id = ? AND parent_id = ? LIMIT 1', [
        turn.sessionId,
        turn.turnId,
      ]),
    );
    return page.rows.length > 0;
  }
}
