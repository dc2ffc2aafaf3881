import { allRows, applied, type CqlExecutor } from '../../cql/executor.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { checkEventTime, checkId, checkText, LIMITS } from '../../domain/limits.ts';
import type { Page, PageRequest, SessionListItem } from '../../domain/queries.ts';
import type { CqlQueries } from '../../store/queries.ts';
import { insert, select } from '../../store/statements.ts';
import type { AgentStore } from '../../store/store.ts';
import { forEachBounded } from '../../util/bounded.ts';
import type { Clock } from '../component.ts';
import { OPEN_SESSION_SHARDS, shardOf } from '../../schema/buckets.ts';
import {
  checkEndStatus,
  checkMetadata,
  checkReEnd,
  checkSessionId,
  checkSweep,
  EMPTY_METRICS,
  patched,
  sortedKeys,
  type CreateSessionRequest,
  type EndStatus,
  type SessionMetrics,
  type SessionRecord,
  type SessionStatus,
  type SessionStore,
  type SweepRequest,
} from './types.ts';

/** session_state is written by compare-and-set on its version; contended updates retry this often. */
const CAS_ATTEMPTS = 16;

interface State {
  status: SessionStatus;
  endedAt: Date | null;
  metadata: Record<string, string>;
  /** 0: no row yet (a session created before migration 6, or a create that stopped before it). */
  version: number;
}

/**
 * SessionStore on the CQL write model: the session itself through AgentStore (sessions and its
 * P2 rows), its lifecycle in session_state (LWT only), open sessions in open_sessions_by_shard for
 * the sweep, metrics from the session's turn_completions_by_session partition.
 */
export class CqlSessionStore implements SessionStore {
  constructor(
    private readonly exec: CqlExecutor,
    private readonly ks: string,
    private readonly clock: Clock,
    private readonly store: AgentStore,
    private readonly queries: CqlQueries,
  ) {}

  async createSession(input: CreateSessionRequest): Promise<SessionRecord> {
    const now = this.clock.now();
    const sessionId = checkId('sessionId', input?.sessionId);
    const accountId = checkId('accountId', input.accountId);
    checkText('title', input.title, LIMITS.titleBytes);
    const metadata =
      input.metadata === undefined ? {} : (checkMetadata('metadata', input.metadata, false) as Record<string, string>);
    if (input.at) checkEventTime('at', input.at, now);
    try {
      await this.store.createSession(input);
    } catch (err) {
      // AgentStore refuses another account's id as a ValidationError; here it is the conflict it is.
      if (err instanceof ValidationError && err.field === 'sessionId' && !(err instanceof ConflictError))
        throw new ConflictError('sessionId', err.problem);
      throw err;
    }
    const claim = await this.exec.run(
      insert(
        this.ks,
        'session_state',
        {
          session_id: sessionId,
          status: 'active',
          metadata: JSON.stringify(sortedKeys(metadata)),
          version: 1,
          updated_at: now,
        },
        { ifNotExists: true },
      ),
      { serial: true },
    );
    if (applied(claim))
      await this.exec.run(
        insert(this.ks, 'open_sessions_by_shard', {
          shard: shardOf(sessionId),
          session_id: sessionId,
          account_id: accountId,
        }),
      );
    return (await this.getSession(sessionId))!;
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    checkSessionId(sessionId);
    const [row, state] = await Promise.all([this.sessionRow(sessionId), this.state(sessionId)]);
    if (!row) return null;
    return {
      sessionId,
      accountId: row.accountId,
      title: row.title,
      createdAt: row.createdAt.toISOString(),
      lastActivity: (row.lastActivity ?? row.createdAt).toISOString(),
      status: state.status,
      endedAt: state.endedAt?.toISOString() ?? null,
      metadata: state.metadata,
    };
  }

  listSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    checkId('accountId', accountId);
    return this.queries.accountSessions(accountId, page);
  }

  async updateMetadata(sessionId: string, patch: Record<string, string | null>): Promise<SessionRecord> {
    checkSessionId(sessionId);
    const p = checkMetadata('metadata', patch, true);
    await this.casState(sessionId, (s) => ({ ...s, metadata: patched(s.metadata, p) }));
    return (await this.getSession(sessionId))!;
  }

  async endSession(sessionId: string, status: EndStatus, at?: Date): Promise<SessionRecord> {
    checkSessionId(sessionId);
    const wanted = checkEndStatus(status);
    const now = this.clock.now();
    const endedAt = at ? checkEventTime('at', at, now) : now;
    await this.casState(sessionId, (s) => {
      if (s.status !== 'active') {
        checkReEnd(sessionId, s.status, wanted);
        return null;
      }
      return { ...s, status: wanted, endedAt };
    });
    await this.exec.execute(`DELETE FROM ${this.ks}.open_sessions_by_shard WHERE shard = ? AND session_id = ?`, [
      shardOf(sessionId),
      sessionId,
    ]);
    return (await this.getSession(sessionId))!;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    // One eraser for every table a session has rows in (src/store/erase.ts, src/migrations/lifecycle.ts).
    return (await this.store.eraseSession(sessionId)).found;
  }

  /**
   * Reads every open session (OPEN_SESSION_SHARDS partitions, each bounded by the open sessions of
   * its shard), keeps those whose last activity is before the cutoff, and ends the first `limit`
   * of them in id order.
   */
  async sweepIdle(request: SweepRequest): Promise<string[]> {
    const r = checkSweep(request);
    const cutoff = this.clock.now().getTime() - r.idleForMs;
    const idle: string[] = [];
    for (let shard = 0; shard < OPEN_SESSION_SHARDS; shard++) {
      const open = allRows(this.exec, select(this.ks, 'open_sessions_by_shard', ['session_id'], 'shard = ?', [shard]));
      await forEachBounded(open, 8, async ({ session_id }) => {
        const row = await this.sessionRow(session_id);
        if (row && (row.lastActivity ?? row.createdAt).getTime() < cutoff) idle.push(session_id);
      });
    }
    const chosen = idle.sort().slice(0, r.limit);
    if (!r.dryRun)
      for (const id of chosen)
        await this.endSession(id, 'abandoned').catch((e: unknown) =>
          e instanceof ConflictError ? null : Promise.reject(e),
        );
    return chosen;
  }

  async metrics(sessionId: string): Promise<SessionMetrics> {
    checkSessionId(sessionId);
    if (!(await this.sessionRow(sessionId)))
      throw new NotFoundError('sessionId', `no session "${sessionId}": create it first (createSession)`);
    const m: SessionMetrics = { ...EMPTY_METRICS };
    const rows = select(
      this.ks,
      'turn_completions_by_session',
      ['status', 'tokens_in', 'tokens_out', 'duration_ms', 'completed_at'],
      'session_id = ?',
      [sessionId],
    );
    for await (const c of allRows(this.exec, rows)) {
      m.requests++;
      if (c.status === 'error') m.errors++;
      m.processingMs += c.duration_ms ?? 0;
      m.tokensIn += c.tokens_in ?? 0;
      m.tokensOut += c.tokens_out ?? 0;
      const at = c.completed_at?.toISOString() ?? null;
      if (at && (m.lastCompletedAt === null || at > m.lastCompletedAt)) m.lastCompletedAt = at;
    }
    return m;
  }

  /** The session's own row; null when missing (a row left with no account is a deleted session's leftover). */
  async sessionRow(sessionId: string) {
    const page = await this.exec.run(
      select(this.ks, 'sessions', ['account_id', 'title', 'created_at', 'last_activity'], 'session_id = ?', [
        sessionId,
      ]),
    );
    const r = page.rows[0];
    if (!r?.account_id) return null;
    return { accountId: r.account_id, title: r.title!, createdAt: r.created_at!, lastActivity: r.last_activity };
  }

  async state(sessionId: string): Promise<State> {
    const page = await this.exec.run(
      select(this.ks, 'session_state', ['status', 'ended_at', 'metadata', 'version'], 'session_id = ?', [sessionId]),
    );
    const r = page.rows[0];
    if (!r?.version) return { status: 'active', endedAt: null, metadata: {}, version: 0 };
    return {
      status: (r.status ?? 'active') as SessionStatus,
      endedAt: r.ended_at,
      metadata: r.metadata ? (JSON.parse(r.metadata) as Record<string, string>) : {},
      version: r.version,
    };
  }

  /** Read, change, compare-and-set on the version; `change` returning null means nothing to write. */
  private async casState(sessionId: string, change: (s: State) => State | null): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const [row, current] = await Promise.all([this.sessionRow(sessionId), this.state(sessionId)]);
      if (!row) throw new NotFoundError('sessionId', `no session "${sessionId}": create it first (createSession)`);
      const next = change(current);
      if (!next) return;
      const values = {
        status: next.status,
        ended_at: next.endedAt,
        metadata: JSON.stringify(next.metadata),
        version: current.version + 1,
        updated_at: this.clock.now(),
      };
      const page =
        current.version === 0
          ? await this.exec.run(
              insert(this.ks, 'session_state', { session_id: sessionId, ...values }, { ifNotExists: true }),
              { serial: true },
            )
          : await this.exec.execute(
              `UPDATE ${this.ks}.session_state SET status = ?, ended_at = ?, metadata = ?, version = ?, updated_at = ? WHERE session_id = ? IF version = ?`,
              [
                values.status,
                values.ended_at,
                values.metadata,
                values.version,
                values.updated_at,
                sessionId,
                current.version,
              ],
              { serial: true },
            );
      if (applied(page)) return;
    }
    throw new ConflictError('sessionId', `session "${sessionId}" is changed by too many writers at once; retry`);
  }
}
