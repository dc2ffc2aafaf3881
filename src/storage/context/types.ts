import { ValidationError, ValueTooLargeError } from '../../domain/errors.ts';
import { checkId, checkText } from '../../domain/limits.ts';
import type { Page, PageRequest } from '../../domain/queries.ts';

/** Whose context a key belongs to (the prefixes of Google ADK's session state, as a typed scope). */
export type ScopeKind = 'session' | 'account' | 'app' | 'task';
const SCOPE_KINDS: readonly ScopeKind[] = ['session', 'account', 'app', 'task'];
export interface ContextScope {
  kind: ScopeKind;
  id: string;
}

export interface Versioned<T = unknown> {
  key: string;
  value: T;
  /** 1 on create, +1 per write; a key deleted or expired starts again at 1 (as etcd's key version). */
  version: number;
  updatedAt: string;
  expiresAt: string | null;
}

export interface PutOptions {
  /** Compare-and-set: the version the caller read; 0 means "the key must not exist". */
  expectedVersion?: number;
  /** The value expires this many seconds after the write (1 to 31,536,000); without it, never. */
  ttlSeconds?: number;
}

export interface TaskContextStore {
  get<T = unknown>(scope: ContextScope, key: string): Promise<Versioned<T> | null>;
  /** Writes a JSON value. A stale expectedVersion is a ConflictError and writes nothing. */
  put<T = unknown>(scope: ContextScope, key: string, value: T, options?: PutOptions): Promise<Versioned<T>>;
  /** false when there was no such key; a stale expectedVersion is a ConflictError. */
  delete(scope: ContextScope, key: string, options?: { expectedVersion?: number }): Promise<boolean>;
  /** The scope's live keys in key order, paged (values not included). */
  list(scope: ContextScope, page: PageRequest): Promise<Page<{ key: string; version: number; updatedAt: string }>>;
}

export const CONTEXT_LIMITS = {
  keyBytes: 256,
  /** The default maximum of a value's JSON; under ScyllaDB's 1 MB large-cell warning with room to spare. */
  maxValueBytes: 256 * 1024,
  keysPerScope: 1000,
  maxTtlSeconds: 365 * 86_400,
} as const;

export interface CheckedPut {
  scopeKind: ScopeKind;
  scopeId: string;
  key: string;
  json: string;
  expectedVersion: number | undefined;
  ttlSeconds: number | undefined;
}

export function checkScope(scope: unknown): ContextScope {
  const s = scope as ContextScope;
  if (!s || !SCOPE_KINDS.includes(s.kind))
    throw new ValidationError('scope.kind', `must be one of ${SCOPE_KINDS.join(', ')}, got ${JSON.stringify(s?.kind)}`);
  checkId('scope.id', s.id);
  return s;
}

export const checkKey = (key: unknown): string => checkText('key', key, CONTEXT_LIMITS.keyBytes);

export function checkExpected(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 0)
    throw new ValidationError(
      'expectedVersion',
      'must be a version you read (an integer >= 1), or 0 for "must not exist"',
    );
  return v as number;
}

/** Every check of a put, before the first read: bad input writes nothing. */
export function checkPut(
  scope: unknown,
  key: unknown,
  value: unknown,
  o: PutOptions | undefined,
  maxValueBytes: number,
): CheckedPut {
  const s = checkScope(scope);
  const k = checkKey(key);
  if (value === undefined) throw new ValidationError('value', 'is required (any JSON value; null is allowed)');
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new ValidationError('value', `is not serialisable to JSON (${(err as Error).message})`);
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxValueBytes) throw new ValueTooLargeError('value', bytes, maxValueBytes);
  const ttl = o?.ttlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > CONTEXT_LIMITS.maxTtlSeconds))
    throw new ValidationError('ttlSeconds', `must be an integer from 1 to ${CONTEXT_LIMITS.maxTtlSeconds}`);
  return {
    scopeKind: s.kind,
    scopeId: s.id,
    key: k,
    json,
    expectedVersion: checkExpected(o?.expectedVersion),
    ttlSeconds: ttl,
  };
}

export const expiryOf = (now: Date, ttlSeconds: number | undefined): Date | null =>
  ttlSeconds === undefined ? null : new Date(now.getTime() + ttlSeconds * 1000);

/** Live at `now`: no expiry, or an expiry still ahead. */
export const isLive = (expiresAt: Date | string | null, now: Date): boolean =>
  expiresAt === null || new Date(expiresAt).getTime() > now.getTime();
