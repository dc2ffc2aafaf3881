import { applied, type CqlExecutor, type Statement } from '../cql/executor.ts';
import { LimitError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { checkEventTime, checkId, checkText, LIMITS } from '../domain/limits.ts';
import { monthOf, type Role, type Session, type Step, type Turn } from '../domain/model.ts';
import { checkSteps, type StepInput } from '../domain/step-input.ts';
import { StepType } from '../domain/step-types.ts';
import { baseBuckets, bucketsOn, versionOwner } from '../schema/buckets.ts';
import { BucketPolicy } from './bucket-policy.ts';
import { BucketSchedules, checkScheduleChange, scheduleRow } from './buckets.ts';
import { eraseSession, type EraseResult } from './erase.ts';
import { after, PendingInputs, type AskingTurn } from './pending.ts';
import { allRows } from '../cql/executor.ts';
import { insert, select, update } from './statements.ts';
import {
  deletePendingInput,
  insertPendingInput,
  insertSession,
  insertStep,
  insertTurn,
  lastActivityWrite,
  micros,
  questionOf,
  ROOT,
  sessionIndexWrite,
  sessionMonthWrite,
  setActiveChild,
  stepIndexWrite,
  turnIndexWrites,
  type DayBuckets,
  type TurnKey,
} from './writes.ts';

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

export type { StepInput };

/** What the store knows of a turn from its lookup row. */
interface StoredTurn extends TurnKey {
  sessionId: string;
  accountId: string;
  role: Role;
  sessionCreatedAt: Date;
}

/** Compare-and-set attempts on a session's turn count before giving up (only concurrent appends to one session retry). */
const COUNT_ATTEMPTS = 32;
/** P2 directory rows this process knows are written: most createSession calls then skip the write. */
const MAX_KNOWN_MONTHS = 100_000;

/**
 * The write side. Every command validates all of its input before the first write, so bad input
 * leaves nothing behind. Commands are idempotent: ids come from the caller, and the one row that
 * fixes a turn's or session's time (its lookup row) is claimed with a lightweight transaction, so
 * a retry reuses the stored time and lands on the same keys instead of duplicating rows.
 * Times a caller gives (`at`) may be at most LIMITS.clockSkewMs ahead of the clock.
 */
export class AgentStore {
  private readonly schedules: BucketSchedules;
  private readonly policy: BucketPolicy;
  private readonly pending: PendingInputs;
  private readonly knownMonths = new Set<string>();
  private lastWriteUs = 0n;

  /** `bucketCheckMs`: how often the bucket policy samples one owner's partitions (src/store/bucket-policy.ts). */
  constructor(
    private readonly exec: CqlExecutor,
    private readonly keyspace: string,
    private readonly clock: Clock = systemClock,
    opts: { bucketCheckMs?: number } = {},
  ) {
    this.schedules = new BucketSchedules(exec, keyspace);
    this.policy = new BucketPolicy(exec, keyspace, this.schedules, opts.bucketCheckMs);
    this.pending = new PendingInputs(exec, keyspace);
  }

  async createSession(input: CreateSessionInput): Promise<Session> {
    const now = this.clock.now();
    const session: Session = {
      sessionId: checkId('sessionId', input.sessionId),
      accountId: checkId('accountId', input.accountId),
      title: checkText('title', input.title, LIMITS.titleBytes),
      createdAt: input.at ? checkEventTime('at', input.at, now) : now,
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
    const buckets = await this.bucketsOf(session.accountId);
    const writes = [
      sessionIndexWrite(this.keyspace, session, buckets),
      lastActivityWrite(this.keyspace, session.sessionId, session.createdAt),
    ];
    const month = `${session.accountId}\x1f${monthOf(session.createdAt)}`;
    if (!this.knownMonths.has(month)) writes.push(sessionMonthWrite(this.keyspace, session));
    await this.exec.batch(writes);
    if (this.knownMonths.size >= MAX_KNOWN_MONTHS) this.knownMonths.clear();
    this.knownMonths.add(month);
    await this.policy.afterSession(session, buckets, this.clock.now());
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
    const now = this.clock.now();
    const at = input.at ? checkEventTime('at', input.at, now) : now;
    if (parentId === null && input.role === 'agent') {
      throw new ValidationError('parentId', "an agent turn answers a human turn: give the human turn's id");
    }

    const [session, parent, stored] = await Promise.all([
      this.loadSession(sessionId),
      parentId === null ? null : this.loadTurn(parentId, 'parentId'),
      this.findTurn(turnId),
    ]);
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
    const sameTurn = (t: StoredTurn) => t.sessionId === sessionId && t.role === input.role && t.parentId === parentId;
    if (stored) {
      // A retry: counted already; finish with the stored time so every index row gets the same keys.
      if (!sameTurn(stored))
        throw new ValidationError('turnId', `"${turnId}" is already used by another turn; use a new id`);
      turn.createdAt = stored.createdAt;
    } else {
      await this.countTurn(sessionId, +1);
      const page = await this.exec.run(insertTurn(this.keyspace, turn, session.createdAt, true), { serial: true });
      if (!applied(page)) {
        // Another call claimed the id first: this one added no turn.
        await this.countTurn(sessionId, -1);
        const existing = page.rows[0]!;
        const same =
          existing.session_id === sessionId &&
          existing.role === input.role &&
          existing.parent_id === (parentId ?? ROOT);
        if (!same) throw new ValidationError('turnId', `"${turnId}" is already used by another turn; use a new id`);
        turn.createdAt = existing.created_at!;
      }
    }

    const version = turn.agentVersion ? versionOwner(turn.agentVersion) : null;
    const buckets = await this.bucketsOf(session.accountId, ...(version ? [version] : []));
    await this.exec.batch([
      ...turnIndexWrites(this.keyspace, turn, buckets),
      lastActivityWrite(this.keyspace, sessionId, turn.createdAt),
      setActiveChild(this.keyspace, sessionId, parent, turnId),
    ]);
    // The turn is stored; now close the questions it answers (a human reply) or replaces (a newer answer).
    if (parent && input.role === 'human') await this.pending.close(asking(parent), this.writeTime(), buckets);
    if (input.role === 'agent') {
      for (const older of await this.pending.replacedBy(turn))
        await this.pending.close(older, this.writeTime(), buckets);
    }
    if (version) await this.policy.afterAgentTurn(turn, buckets, this.clock.now());
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
   * Adds or rewrites steps of an agent turn. All steps are checked before anything is written. The
   * step rows go first (each a single-partition upsert, some up to 64 KiB, too big for a logged
   * batch); their analytics rows (keyed by turn and idx, with the same write time) and pending
   * inputs follow in one logged batch. A rewrite of a step replaces its rows; a failed call is
   * retried by the caller and converges, since every write is an upsert on the same keys.
   */
  async addSteps(input: { turnId: string; steps: StepInput[] }): Promise<Step[]> {
    const { turnId, steps: checked } = checkSteps(input, this.clock.now());

    const turn = await this.loadTurn(turnId, 'turnId');
    if (turn.role !== 'agent')
      throw new ValidationError('turnId', `"${turnId}" is a human turn; steps belong to agent turns`);
    const [buckets, previous] = await Promise.all([
      this.bucketsOf(turn.accountId),
      this.storedSteps(
        turnId,
        checked.map((s) => s.idx),
      ),
    ]);

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
    // One write time for every row of this call's versions, after the versions they replace
    // (whichever server wrote those, whatever its clock).
    const writeTimeUs = this.writeTime([...previous.values()].map((p) => p.writtenUs));
    await Promise.all(steps.map((s) => this.exec.run(insertStep(this.keyspace, s, turn.createdAt, writeTimeUs))));

    const derived: Statement[] = [];
    const asked: Step[] = [];
    checked.forEach((s, i) => {
      const step = steps[i]!;
      derived.push(stepIndexWrite(this.keyspace, step, turn.createdAt, s.content.parsed, buckets, writeTimeUs));
      if (s.type === StepType.InputRequest) {
        asked.push(step);
        derived.push(
          insertPendingInput(this.keyspace, step, questionOf(s.content.parsed), turn.createdAt, buckets, writeTimeUs),
        );
      } else if (previous.get(s.idx)?.type === StepType.InputRequest) {
        derived.push(deletePendingInput(this.keyspace, step, turn.createdAt, buckets, writeTimeUs));
      }
    });
    const latest = new Date(Math.max(...steps.map((s) => s.createdAt.getTime())));
    derived.push(lastActivityWrite(this.keyspace, turn.sessionId, latest));
    await this.exec.batch(derived);
    // Asked after its answer (or a newer answer) was stored: the request is closed already.
    if (asked.length && (await this.pending.isClosed(asking(turn)))) {
      const closeUs = this.writeTime([writeTimeUs]);
      await this.exec.batch(asked.map((a) => deletePendingInput(this.keyspace, a, turn.createdAt, buckets, closeUs)));
    }
    await this.policy.afterSteps(turn, buckets, this.clock.now());
    return steps;
  }

  /**
   * Splits an account's day partitions into `buckets` from day `since` on (src/schema/buckets.ts).
   * `since` must be a day no write can reach yet (tomorrow, or the day after near midnight), so the
   * rows of a day never move between buckets. Every reader finds the buckets in the same schedule.
   */
  async setAccountBuckets(input: { accountId: string; buckets: number; since: string }): Promise<void> {
    const accountId = checkId('accountId', input.accountId);
    const entry = checkScheduleChange(input.buckets, input.since, this.clock.now());
    await this.exec.run(scheduleRow(this.keyspace, accountId, entry));
  }

  /**
   * Removes the session from every table, by key (src/store/erase.ts); through the CDC feed the
   * read models drop it too. Idempotent. Writes to the session after the erase store it again: stop
   * them first.
   */
  async eraseSession(sessionId: string): Promise<EraseResult> {
    return eraseSession(this.exec, this.keyspace, checkId('sessionId', sessionId), this.schedules, this.clock.now());
  }

  /**
   * Write times of step versions and pending inputs: the wall clock in microseconds, strictly
   * increasing in this process, and after every write time in `after` (versions it replaces).
   */
  private writeTime(observed: readonly (number | bigint)[] = []): bigint {
    let next = after(micros(new Date()), this.lastWriteUs);
    for (const o of observed) next = after(next, o);
    this.lastWriteUs = next;
    return next;
  }

  /** The bucket counts of the owners' days (accounts, versionOwner ids), from their cached schedules. */
  private async bucketsOf(...owners: string[]): Promise<DayBuckets> {
    const schedules = new Map(await Promise.all(owners.map(async (o) => [o, await this.schedules.get(o)] as const)));
    return (owner, day) => {
      const schedule = schedules.get(owner);
      if (!schedule) throw new Error(`bug: the schedule of "${owner}" was not loaded before building its rows`);
      return bucketsOn(schedule, day, baseBuckets(owner));
    };
  }

  /** The stored type and write time of the steps a call is about to write, so a rewrite knows what it replaces. */
  private async storedSteps(
    turnId: string,
    idxs: number[],
  ): Promise<Map<number, { type: StepType; writtenUs: number }>> {
    const page = await this.exec.run<{ idx: number; step_type: StepType; written: number }>({
      query: `SELECT idx, step_type, WRITETIME(step_type) AS written FROM ${this.keyspace}.steps_by_turn WHERE turn_id = ? AND idx IN ?`,
      params: [turnId, idxs],
    });
    return new Map(page.rows.map((r) => [r.idx, { type: r.step_type, writtenUs: r.written }]));
  }

  /**
   * Adds `delta` to the session's turn count with a compare-and-set, refusing to go past the limit.
   * A session from before the count existed is counted from its turns first.
   */
  private async countTurn(sessionId: string, delta: 1 | -1): Promise<void> {
    const table = 'turn_counts_by_session';
    let current = (await this.exec.run(select(this.keyspace, table, ['turns'], 'session_id = ?', [sessionId]))).rows[0]
      ?.turns;
    for (let attempt = 0; attempt < COUNT_ATTEMPTS; attempt++) {
      const known = current ?? (await this.turnsStored(sessionId));
      if (delta > 0 && known >= LIMITS.turnsPerSession)
        throw new LimitError(
          'sessionId',
          `session "${sessionId}" has ${known} turns, the most a session holds (${LIMITS.turnsPerSession}): continue in a new session`,
        );
      const next = Math.max(0, known + delta);
      const page =
        current === undefined || current === null
          ? await this.exec.run(
              insert(this.keyspace, table, { session_id: sessionId, turns: next }, { ifNotExists: true }),
              {
                serial: true,
              },
            )
          : await this.exec.run(
              update(this.keyspace, table, { turns: next }, { session_id: sessionId }, { onlyIf: { turns: known } }),
              {
                serial: true,
              },
            );
      if (applied(page)) return;
      current = page.rows[0]?.turns;
    }
    throw new Error(
      `could not count a turn of session "${sessionId}" after ${COUNT_ATTEMPTS} attempts: too many concurrent appends; retry`,
    );
  }

  private async turnsStored(sessionId: string): Promise<number> {
    let n = 0;
    for await (const r of allRows(
      this.exec,
      select(this.keyspace, 'turns_by_session', ['turn_id'], 'session_id = ?', [sessionId]),
    ))
      if (r.turn_id) n++;
    return n;
  }

  private async loadSession(sessionId: string): Promise<Session> {
    const page = await this.exec.run(
      select(this.keyspace, 'sessions', ['account_id', 'title', 'created_at'], 'session_id = ?', [sessionId]),
    );
    const row = page.rows[0];
    if (!row) throw new NotFoundError('sessionId', `no session "${sessionId}": create it first (createSession)`);
    return { sessionId, accountId: row.account_id!, title: row.title!, createdAt: row.created_at! };
  }

  private async findTurn(turnId: string): Promise<StoredTurn | null> {
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
    if (!row) return null;
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

  private async loadTurn(turnId: string, field: string): Promise<StoredTurn> {
    const turn = await this.findTurn(turnId);
    if (!turn) throw new NotFoundError(field, `no turn "${turnId}"`);
    return turn;
  }
}

const asking = (t: StoredTurn): AskingTurn => ({
  turnId: t.turnId,
  sessionId: t.sessionId,
  accountId: t.accountId,
  parentId: t.parentId,
  createdAt: t.createdAt,
});
