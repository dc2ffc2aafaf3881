import { ConflictError, ValidationError } from '../../domain/errors.ts';
import { checkId, checkText } from '../../domain/limits.ts';
import type { Page, PageRequest, SessionListItem } from '../../domain/queries.ts';

export type SessionStatus = 'active' | 'completed' | 'failed' | 'abandoned';
export type EndStatus = Exclude<SessionStatus, 'active'>;
const END_STATUSES: readonly EndStatus[] = ['completed', 'failed', 'abandoned'];

/** A session with its lifecycle. Times are ISO-8601 strings, as in the key queries (src/domain/queries.ts). */
export interface SessionRecord {
  sessionId: string;
  accountId: string;
  title: string;
  createdAt: string;
  lastActivity: string;
  status: SessionStatus;
  endedAt: string | null;
  metadata: Record<string, string>;
}

/**
 * Metrics of a session, aggregated from its agent-turn completions (ConversationStore.completeTurn):
 * one completion per turn, so a replayed completion never counts twice.
 */
export interface SessionMetrics {
  /** Completed agent turns. */
  requests: number;
  /** Completed with status "error". */
  errors: number;
  processingMs: number;
  tokensIn: number;
  tokensOut: number;
  lastCompletedAt: string | null;
}

export interface CreateSessionRequest {
  sessionId: string;
  accountId: string;
  title: string;
  metadata?: Record<string, string>;
  at?: Date;
}

export interface SweepRequest {
  /** Sessions whose last activity is older than this many milliseconds are ended as "abandoned". */
  idleForMs: number;
  /** At most this many are ended per call (1 to 1000): a sweep is bounded, call it again for more. */
  limit: number;
  /** List what would be ended, change nothing. */
  dryRun?: boolean;
}

export interface SessionStore {
  createSession(input: CreateSessionRequest): Promise<SessionRecord>;
  /** null when there is no such session. */
  getSession(sessionId: string): Promise<SessionRecord | null>;
  /** The account's sessions, newest first, paged (the key query P2). */
  listSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>>;
  /** Sets keys (a string) and removes them (null); other keys stay. */
  updateMetadata(sessionId: string, patch: Record<string, string | null>): Promise<SessionRecord>;
  /** Ends an active session. Ending it again with the same status is a no-op; with another, a ConflictError. */
  endSession(sessionId: string, status: EndStatus, at?: Date): Promise<SessionRecord>;
  /** Erases the session and everything under it (turns, steps, completions). false when there was none. */
  deleteSession(sessionId: string): Promise<boolean>;
  /** Ends idle active sessions as "abandoned"; returns the ids, in id order. */
  sweepIdle(request: SweepRequest): Promise<string[]>;
  metrics(sessionId: string): Promise<SessionMetrics>;
}

/** Bounds of a session's metadata, so its row stays small whatever the caller sends. */
const SESSION_LIMITS = { metadataKeys: 64, metadataKeyBytes: 128, metadataValueBytes: 1024 } as const;

export function checkMetadata(field: string, value: unknown, allowNull: boolean): Record<string, string | null> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError(field, 'must be an object of string keys and string values');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > SESSION_LIMITS.metadataKeys)
    throw new ValidationError(field, `has ${entries.length} keys; at most ${SESSION_LIMITS.metadataKeys}`);
  for (const [k, v] of entries) {
    checkText(`${field} key`, k, SESSION_LIMITS.metadataKeyBytes);
    if (v === null && allowNull) continue;
    checkText(`${field}.${k}`, v, SESSION_LIMITS.metadataValueBytes, true);
  }
  return value as Record<string, string | null>;
}

/** The metadata after a patch, checked against the bounds. */
export function patched(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  if (Object.keys(next).length > SESSION_LIMITS.metadataKeys)
    throw new ValidationError('metadata', `would have more than ${SESSION_LIMITS.metadataKeys} keys`);
  return sortedKeys(next);
}

export const sortedKeys = (m: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function checkEndStatus(value: unknown): EndStatus {
  if (!END_STATUSES.includes(value as EndStatus))
    throw new ValidationError('status', `must be one of ${END_STATUSES.join(', ')}, got ${JSON.stringify(value)}`);
  return value as EndStatus;
}

/** The end of an already ended session: the same status again is a retry, another one a conflict. */
export function checkReEnd(sessionId: string, stored: SessionStatus, wanted: EndStatus): void {
  if (stored !== wanted)
    throw new ConflictError(
      'status',
      `session "${sessionId}" already ended as "${stored}"; it cannot end as "${wanted}"`,
    );
}

export function checkSweep(r: SweepRequest): SweepRequest {
  if (!Number.isInteger(r?.idleForMs) || r.idleForMs < 1)
    throw new ValidationError('idleForMs', 'must be a positive integer number of milliseconds');
  if (!Number.isInteger(r.limit) || r.limit < 1 || r.limit > 1000)
    throw new ValidationError('limit', 'must be an integer from 1 to 1000');
  return r;
}

export const checkSessionId = (v: unknown): string => checkId('sessionId', v);

/** A session that exists but is over: nothing may be appended to it. */
export function checkOpen(sessionId: string, status: SessionStatus): void {
  if (status !== 'active')
    throw new ConflictError('sessionId', `session "${sessionId}" has ended (${status}); start a new session`);
}

export const EMPTY_METRICS: SessionMetrics = Object.freeze({
  requests: 0,
  errors: 0,
  processingMs: 0,
  tokensIn: 0,
  tokensOut: 0,
  lastCompletedAt: null,
});
