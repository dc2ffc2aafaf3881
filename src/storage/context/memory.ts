import { ConflictError, ValidationError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../domain/queries.ts';
import { checkLimit, decodeCursor, encodeCursor } from '../../domain/query-args.ts';
import type { Clock } from '../component.ts';
import type { MemoryContextEntry, MemoryState } from '../memory-state.ts';
import {
  checkExpected,
  checkKey,
  checkPut,
  checkScope,
  CONTEXT_LIMITS,
  expiryOf,
  isLive,
  type ContextScope,
  type PutOptions,
  type TaskContextStore,
  type Versioned,
} from './types.ts';

export const staleVersion = (key: string, expected: number, stored: number) =>
  new ConflictError(
    'expectedVersion',
    expected === 0
      ? `key "${key}" exists (version ${stored}); read it and pass its version`
      : stored === 0
        ? `key "${key}" does not exist (deleted or expired); pass 0 to create it`
        : `key "${key}" is at version ${stored}, not ${expected}; read it again and retry`,
  );

export const fullScope = (key: string) =>
  new ValidationError(
    'key',
    `"${key}" would be key ${CONTEXT_LIMITS.keysPerScope + 1} of its scope; at most ${CONTEXT_LIMITS.keysPerScope} keys per scope: delete some first`,
  );

function versioned<T>(key: string, e: MemoryContextEntry): Versioned<T> {
  return {
    key,
    value: JSON.parse(e.json) as T,
    version: e.version,
    updatedAt: e.updatedAt.toISOString(),
    expiresAt: e.expiresAt?.toISOString() ?? null,
  };
}

/** The reference TaskContextStore: expiry is judged by the injected clock, as in every backend. */
export class MemoryContextStore implements TaskContextStore {
  constructor(
    private readonly state: MemoryState,
    private readonly clock: Clock,
    private readonly maxValueBytes: number = CONTEXT_LIMITS.maxValueBytes,
  ) {}

  private scopeOf(s: ContextScope, create = false): Map<string, MemoryContextEntry> | undefined {
    const id = `${s.kind}\x1f${s.id}`;
    let m = this.state.context.get(id);
    if (!m && create) this.state.context.set(id, (m = new Map()));
    return m;
  }

  private live(s: ContextScope, key: string): MemoryContextEntry | null {
    const e = this.scopeOf(s)?.get(key);
    return e && isLive(e.expiresAt, this.clock.now()) ? e : null;
  }

  async get<T>(scope: ContextScope, key: string): Promise<Versioned<T> | null> {
    const s = checkScope(scope);
    const k = checkKey(key);
    const e = this.live(s, k);
    return e ? versioned<T>(k, e) : null;
  }

  async put<T>(scope: ContextScope, key: string, value: T, options?: PutOptions): Promise<Versioned<T>> {
    const p = checkPut(scope, key, value, options, this.maxValueBytes);
    const s = { kind: p.scopeKind, id: p.scopeId };
    const now = this.clock.now();
    const current = this.live(s, p.key);
    const stored = current?.version ?? 0;
    if (p.expectedVersion !== undefined && p.expectedVersion !== stored)
      throw staleVersion(p.key, p.expectedVersion, stored);
    const m = this.scopeOf(s, true)!;
    if (!current) {
      const liveKeys = [...m.values()].filter((e) => isLive(e.expiresAt, now)).length;
      if (liveKeys >= CONTEXT_LIMITS.keysPerScope) throw fullScope(p.key);
    }
    const e: MemoryContextEntry = {
      json: p.json,
      version: stored + 1,
      updatedAt: now,
      expiresAt: expiryOf(now, p.ttlSeconds),
    };
    m.set(p.key, e);
    return versioned<T>(p.key, e);
  }

  async delete(scope: ContextScope, key: string, options?: { expectedVersion?: number }): Promise<boolean> {
    const s = checkScope(scope);
    const k = checkKey(key);
    const expected = checkExpected(options?.expectedVersion);
    const current = this.live(s, k);
    const stored = current?.version ?? 0;
    if (expected !== undefined && expected !== stored) throw staleVersion(k, expected, stored);
    this.scopeOf(s)?.delete(k);
    return current !== null;
  }

  async list(
    scope: ContextScope,
    page: PageRequest,
  ): Promise<Page<{ key: string; version: number; updatedAt: string }>> {
    const s = checkScope(scope);
    const limit = checkLimit(page);
    const after = decodeCursor<string>(page.cursor);
    const now = this.clock.now();
    const all = [...(this.scopeOf(s)?.entries() ?? [])]
      .filter(([k, e]) => isLive(e.expiresAt, now) && (after === undefined || k > after))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, e]) => ({ key: k, version: e.version, updatedAt: e.updatedAt.toISOString() }));
    const items = all.slice(0, limit);
    return all.length > limit ? { items, cursor: encodeCursor(items[items.length - 1]!.key) } : { items };
  }
}
