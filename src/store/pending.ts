import type { CqlExecutor, Statement } from '../cql/executor.ts';
import { dayOf } from '../domain/model.ts';
import { select } from './statements.ts';
import { deletePendingInput, ROOT, turnBucket, type DayBuckets } from './writes.ts';

/**
 * Open InputRequests (A5), kept race-free by two rules that need no lock:
 * - Causal timestamps. A request is written at its step version's write time; whatever closes it
 *   (a human answer, a newer agent turn for the same human turn, a rewrite to another type) deletes
 *   it at a timestamp after the one it read (WRITETIME + 1 us, or later by the closer's clock).
 *   Cells and tombstones then settle by timestamp, not by arrival, and app servers whose clocks
 *   disagree cannot order a close before its request. The events' own times cannot serve as
 *   timestamps: ScyllaDB refuses a write to a CDC table timestamped before its current CDC
 *   generation or more than 5 s ahead (scylladb cdc/metadata.cc), and history is older.
 * - Write, then look. The closer writes its turn first and then reads the requests to delete; the
 *   requester writes its request first and then looks for a closer. Of two such racing writers at
 *   least one sees the other's write (quorum reads after acknowledged quorum writes), so no request
 *   outlives its answer.
 */

/** An agent turn as the pending-input rules need it. */
export interface AskingTurn {
  turnId: string;
  sessionId: string;
  accountId: string;
  parentId: string | null;
  createdAt: Date;
}

const newer = (a: { createdAt: Date; turnId: string }, than: { createdAt: Date; turnId: string }): boolean =>
  a.createdAt.getTime() > than.createdAt.getTime() ||
  (a.createdAt.getTime() === than.createdAt.getTime() && a.turnId > than.turnId);

export class PendingInputs {
  constructor(
    private readonly exec: CqlExecutor,
    private readonly ks: string,
  ) {}

  /** The agent children of a human turn (siblings of each other), each with its time. */
  async agentChildren(sessionId: string, parentId: string | null): Promise<AskingTurn[]> {
    const page = await this.exec.run(
      select(
        this.ks,
        'turns_by_session',
        ['turn_id', 'role', 'created_at', 'account_id'],
        'session_id = ? AND parent_id = ?',
        [sessionId, parentId ?? ROOT],
      ),
    );
    return page.rows
      .filter((r) => r.role === 'agent' && r.turn_id)
      .map((r) => ({
        turnId: r.turn_id!,
        sessionId,
        accountId: r.account_id!,
        parentId,
        createdAt: r.created_at!,
      }));
  }

  /** Answered by a human turn, or replaced by a newer answer to the same human turn. */
  async isClosed(turn: AskingTurn): Promise<boolean> {
    const [answers, siblings] = await Promise.all([
      this.exec.run(
        select(this.ks, 'turns_by_session', ['turn_id'], 'session_id = ? AND parent_id = ? LIMIT 1', [
          turn.sessionId,
          turn.turnId,
        ]),
      ),
      this.agentChildren(turn.sessionId, turn.parentId),
    ]);
    return answers.rows.length > 0 || siblings.some((s) => newer(s, turn));
  }

  /** Deletes every open request of `turn`, each after its own write time and no earlier than `nowUs`. */
  async close(turn: AskingTurn, nowUs: bigint, buckets: DayBuckets): Promise<void> {
    const page = await this.exec.run<{ idx: number; written: number }>({
      query: `SELECT idx, WRITETIME(question) AS written FROM ${this.ks}.pending_inputs_by_account_day_bucket WHERE account_id = ? AND day = ? AND bucket = ? AND session_id = ? AND turn_id = ?`,
      params: [
        turn.accountId,
        dayOf(turn.createdAt),
        turnBucket(turn, turn.createdAt, buckets),
        turn.sessionId,
        turn.turnId,
      ],
    });
    const deletes: Statement[] = page.rows.map((r) =>
      deletePendingInput(this.ks, { ...turn, idx: r.idx }, turn.createdAt, buckets, after(nowUs, r.written)),
    );
    if (deletes.length === 1) await this.exec.run(deletes[0]!);
    else if (deletes.length) await this.exec.batch(deletes);
  }

  /** The older agent answers to the same human turn as `turn`: a newer answer replaces their questions. */
  async replacedBy(turn: AskingTurn): Promise<AskingTurn[]> {
    return (await this.agentChildren(turn.sessionId, turn.parentId)).filter((s) => newer(turn, s));
  }
}

/** A write time no earlier than `nowUs` and after `observedUs` (a WRITETIME read, in microseconds). */
export const after = (nowUs: bigint, observedUs: number | bigint | null | undefined): bigint => {
  const next = observedUs === null || observedUs === undefined ? 0n : BigInt(observedUs) + 1n;
  return nowUs > next ? nowUs : next;
};
