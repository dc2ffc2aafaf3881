import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { checkEventTime, checkId, checkText, LIMITS } from '../../domain/limits.ts';
import type { Page, PageRequest, SessionListItem } from '../../domain/queries.ts';
import { checkLimit, decodeCursor, encodeCursor } from '../../domain/query-args.ts';
import type { Clock } from '../component.ts';
import type { MemorySession, MemoryState } from '../memory-state.ts';
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
  type SessionStore,
  type SweepRequest,
} from './types.ts';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function recordOf(s: MemorySession): SessionRecord {
  return {
    sessionId: s.sessionId,
    accountId: s.accountId,
    title: s.title,
    createdAt: s.createdAt.toISOString(),
    lastActivity: s.lastActivity.toISOString(),
    status: s.status,
    endedAt: s.endedAt?.toISOString() ?? null,
    metadata: { ...s.metadata },
  };
}

/** The reference SessionStore. */
export class MemorySessionStore implements SessionStore {
  constructor(
    private readonly state: MemoryState,
    private readonly clock: Clock,
  ) {}

  async createSession(input: CreateSessionRequest): Promise<SessionRecord> {
    const now = this.clock.now();
    const sessionId = checkId('sessionId', input?.sessionId);
    const accountId = checkId('accountId', input.accountId);
    const title = checkText('title', input.title, LIMITS.titleBytes);
    const metadata =
      input.metadata === undefined ? {} : (checkMetadata('metadata', input.metadata, false) as Record<string, string>);
    const at = input.at ? checkEventTime('at', input.at, now) : now;
    const existing = this.state.sessions.get(sessionId);
    if (existing) {
      if (existing.accountId !== accountId)
        throw new ConflictError('sessionId', `"${sessionId}" already belongs to another account; use a new id`);
      return recordOf(existing);
    }
    const s: MemorySession = {
      sessionId,
      accountId,
      title,
      createdAt: at,
      lastActivity: at,
      status: 'active',
      endedAt: null,
      metadata: sortedKeys(metadata),
      activeRoot: null,
    };
    this.state.sessions.set(sessionId, s);
    return recordOf(s);
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    const s = this.state.sessions.get(checkSessionId(sessionId));
    return s ? recordOf(s) : null;
  }

  async listSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    checkId('accountId', accountId);
    const limit = checkLimit(page);
    const after = decodeCursor<{ createdAt: string; sessionId: string }>(page.cursor);
    const all = [...this.state.sessions.values()]
      .filter((s) => s.accountId === accountId)
      .map((s) => ({
        sessionId: s.sessionId,
        title: s.title,
        createdAt: s.createdAt.toISOString(),
        lastActivity: s.lastActivity.toISOString(),
      }))
      .sort((a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.sessionId, a.sessionId))
      .filter(
        (s) =>
          !after ||
          cmp(s.createdAt, after.createdAt) < 0 ||
          (s.createdAt === after.createdAt && cmp(s.sessionId, after.sessionId) < 0),
      );
    const items = all.slice(0, limit);
    if (all.length <= limit) return { items };
    const last = items[items.length - 1]!;
    return { items, cursor: encodeCursor({ createdAt: last.createdAt, sessionId: last.sessionId }) };
  }

  async updateMetadata(sessionId: string, patch: Record<string, string | null>): Promise<SessionRecord> {
    checkSessionId(sessionId);
    const p = checkMetadata('metadata', patch, true);
    const s = this.load(sessionId);
    s.metadata = patched(s.metadata, p);
    return recordOf(s);
  }

  async endSession(sessionId: string, status: EndStatus, at?: Date): Promise<SessionRecord> {
    checkSessionId(sessionId);
    const wanted = checkEndStatus(status);
    const now = this.clock.now();
    const endedAt = at ? checkEventTime('at', at, now) : now;
    const s = this.load(sessionId);
    if (s.status !== 'active') {
      checkReEnd(sessionId, s.status, wanted);
      return recordOf(s);
    }
    s.status = wanted;
    s.endedAt = endedAt;
    return recordOf(s);
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    if (!this.state.sessions.has(sessionId)) return false;
    for (const t of this.state.turnsOf(sessionId)) {
      this.state.turns.delete(t.turnId);
      this.state.steps.delete(t.turnId);
      this.state.completions.delete(t.turnId);
    }
    this.state.sessions.delete(sessionId);
    return true;
  }

  async sweepIdle(request: SweepRequest): Promise<string[]> {
    const r = checkSweep(request);
    const now = this.clock.now();
    const cutoff = now.getTime() - r.idleForMs;
    const idle = [...this.state.sessions.values()]
      .filter((s) => s.status === 'active' && s.lastActivity.getTime() < cutoff)
      .sort((a, b) => cmp(a.sessionId, b.sessionId))
      .slice(0, r.limit);
    if (!r.dryRun)
      for (const s of idle) {
        s.status = 'abandoned';
        s.endedAt = now;
      }
    return idle.map((s) => s.sessionId);
  }

  async metrics(sessionId: string): Promise<SessionMetrics> {
    checkSessionId(sessionId);
    this.load(sessionId);
    const done = [...this.state.completions.values()].filter((c) => c.sessionId === sessionId);
    return done.reduce<SessionMetrics>(
      (m, c) => ({
        requests: m.requests + 1,
        errors: m.errors + (c.status === 'error' ? 1 : 0),
        processingMs: m.processingMs + c.durationMs,
        tokensIn: m.tokensIn + c.tokensIn,
        tokensOut: m.tokensOut + c.tokensOut,
        lastCompletedAt:
          m.lastCompletedAt === null || c.completedAt > m.lastCompletedAt ? c.completedAt : m.lastCompletedAt,
      }),
      { ...EMPTY_METRICS },
    );
  }

  private load(sessionId: string): MemorySession {
    const s = this.state.sessions.get(sessionId);
    if (!s) throw new NotFoundError('sessionId', `no session "${sessionId}": create it first (createSession)`);
    return s;
  }
}
