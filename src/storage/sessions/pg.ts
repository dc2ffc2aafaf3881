import type pg from 'pg';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { checkEventTime, checkId, checkText, LIMITS } from '../../domain/limits.ts';
import type { Page, PageRequest, SessionListItem } from '../../domain/queries.ts';
import type { PgQueries } from '../../postgres/queries.ts';
import { LAST_ACTIVITY } from '../../postgres/sql.ts';
import { inTransaction } from '../backend/pg-tx.ts';
import type { Clock } from '../component.ts';
import {
  checkEndStatus,
  checkMetadata,
  checkReEnd,
  checkSessionId,
  checkSweep,
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

const SESSION = `SELECT s.uid, s.account_uid, s.title, s.created_at, s.status, s.ended_at, s.metadata, ${LAST_ACTIVITY} AS last_activity
  FROM sessions s WHERE s.uid = $1`;

const notFound = (id: string) => new NotFoundError('sessionId', `no session "${id}": create it first (createSession)`);

function recordOf(r: Record<string, unknown>): SessionRecord {
  return {
    sessionId: r['uid'] as string,
    accountId: r['account_uid'] as string,
    title: r['title'] as string,
    createdAt: (r['created_at'] as Date).toISOString(),
    lastActivity: (r['last_activity'] as Date).toISOString(),
    status: r['status'] as SessionStatus,
    endedAt: (r['ended_at'] as Date | null)?.toISOString() ?? null,
    metadata: sortedKeys(r['metadata'] as Record<string, string>),
  };
}

/** SessionStore on the normalised PostgreSQL schema (migration 4's lifecycle columns); every change in a transaction. */
export class PgSessionStore implements SessionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly queries: PgQueries,
  ) {}

  async createSession(input: CreateSessionRequest): Promise<SessionRecord> {
    const now = this.clock.now();
    const sessionId = checkId('sessionId', input?.sessionId);
    const accountId = checkId('accountId', input.accountId);
    const title = checkText('title', input.title, LIMITS.titleBytes);
    const metadata = input.metadata === undefined ? {} : checkMetadata('metadata', input.metadata, false);
    const at = input.at ? checkEventTime('at', input.at, now) : now;
    await this.pool.query(
      `INSERT INTO sessions (uid, account_uid, title, created_at, metadata) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (uid) DO NOTHING`,
      [sessionId, accountId, title, at, JSON.stringify(metadata)],
    );
    const stored = (await this.getSession(sessionId))!;
    if (stored.accountId !== accountId)
      throw new ConflictError('sessionId', `"${sessionId}" already belongs to another account; use a new id`);
    return stored;
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    const r = (await this.pool.query(SESSION, [checkSessionId(sessionId)])).rows[0];
    return r ? recordOf(r) : null;
  }

  listSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    checkId('accountId', accountId);
    return this.queries.accountSessions(accountId, page);
  }

  async updateMetadata(sessionId: string, patch: Record<string, string | null>): Promise<SessionRecord> {
    checkSessionId(sessionId);
    const p = checkMetadata('metadata', patch, true);
    await inTransaction(this.pool, async (tx) => {
      const r = (await tx.query('SELECT metadata FROM sessions WHERE uid = $1 FOR UPDATE', [sessionId])).rows[0];
      if (!r) throw notFound(sessionId);
      const next = patched(r['metadata'] as Record<string, string>, p);
      await tx.query('UPDATE sessions SET metadata = $2 WHERE uid = $1', [sessionId, JSON.stringify(next)]);
    });
    return (await this.getSession(sessionId))!;
  }

  async endSession(sessionId: string, status: EndStatus, at?: Date): Promise<SessionRecord> {
    checkSessionId(sessionId);
    const wanted = checkEndStatus(status);
    const now = this.clock.now();
    const endedAt = at ? checkEventTime('at', at, now) : now;
    await inTransaction(this.pool, async (tx) => {
      const r = (await tx.query('SELECT status FROM sessions WHERE uid = $1 FOR UPDATE', [sessionId])).rows[0];
      if (!r) throw notFound(sessionId);
      if (r['status'] !== 'active') return checkReEnd(sessionId, r['status'] as SessionStatus, wanted);
      await tx.query('UPDATE sessions SET status = $2, ended_at = $3 WHERE uid = $1', [sessionId, wanted, endedAt]);
    });
    return (await this.getSession(sessionId))!;
  }

  /** One transaction: steps, completions (ON DELETE CASCADE), turns, the session. */
  async deleteSession(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    return inTransaction(this.pool, async (tx) => {
      const r = await tx.query('SELECT uid FROM sessions WHERE uid = $1 FOR UPDATE', [sessionId]);
      if (!r.rowCount) return false;
      await tx.query('DELETE FROM steps WHERE agent_turn_uid IN (SELECT uid FROM agent_turns WHERE session_uid = $1)', [
        sessionId,
      ]);
      await tx.query('DELETE FROM turn_completions WHERE session_uid = $1', [sessionId]);
      await tx.query('DELETE FROM agent_turns WHERE session_uid = $1', [sessionId]);
      await tx.query('DELETE FROM human_turns WHERE session_uid = $1', [sessionId]);
      await tx.query('DELETE FROM sessions WHERE uid = $1', [sessionId]);
      return true;
    });
  }

  /** Open sessions come from the partial index sessions_open; last activity as P2 computes it. */
  async sweepIdle(request: SweepRequest): Promise<string[]> {
    const r = checkSweep(request);
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - r.idleForMs);
    return inTransaction(this.pool, async (tx) => {
      const idle = await tx.query<{ uid: string }>(
        `SELECT s.uid FROM sessions s WHERE s.status = 'active' AND ${LAST_ACTIVITY} < $1 ORDER BY s.uid LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [cutoff, r.limit],
      );
      const ids = idle.rows.map((x) => x.uid);
      if (!r.dryRun && ids.length)
        await tx.query(
          `UPDATE sessions SET status = 'abandoned', ended_at = $2 WHERE uid = ANY($1) AND status = 'active'`,
          [ids, now],
        );
      return ids;
    });
  }

  async metrics(sessionId: string): Promise<SessionMetrics> {
    checkSessionId(sessionId);
    const exists = await this.pool.query('SELECT 1 FROM sessions WHERE uid = $1', [sessionId]);
    if (!exists.rowCount) throw notFound(sessionId);
    const r = (
      await this.pool.query(
        `SELECT count(*)::int AS requests, (count(*) FILTER (WHERE status = 'error'))::int AS errors,
           coalesce(sum(duration_ms), 0)::bigint AS ms, coalesce(sum(tokens_in), 0)::bigint AS tin,
           coalesce(sum(tokens_out), 0)::bigint AS tout, max(completed_at) AS last
         FROM turn_completions WHERE session_uid = $1`,
        [sessionId],
      )
    ).rows[0]!;
    return {
      requests: r['requests'],
      errors: r['errors'],
      processingMs: Number(r['ms']),
      tokensIn: Number(r['tin']),
      tokensOut: Number(r['tout']),
      lastCompletedAt: (r['last'] as Date | null)?.toISOString() ?? null,
    };
  }
}
