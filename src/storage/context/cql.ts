import { allRows, applied, type CqlExecutor } from '../../cql/executor.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../domain/queries.ts';
import { checkLimit, decodeCursor, encodeCursor } from '../../domain/query-args.ts';
import type { Clock } from '../component.ts';
import { fullScope, staleVersion } from './memory.ts';
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

const CAS_ATTEMPTS = 16;
/**
 * Expiry is judged by the injected clock (expires_at), so every backend expires alike; the row's
 * CQL TTL is longer by this much and only collects it, never before a reader would hide it.
 */
const TTL_GRACE_S = 60;

interface Stored {
  /** A row is there, live or not: its cells decide whether a create inserts or updates it. */
  physical: boolean;
  /** The row's version cell (null for a row left with its key only). */
  rowVersion: number | null;
  /** 0 when absent or expired at `now`. */
  live: number;
  value: string | null;
  updatedAt: Date | null;
  expiresAt: Date | null;
}

/**
 * TaskContextStore on CQL: table task_context, one partition per scope. Every write is a
 * lightweight transaction (IF NOT EXISTS, IF version = ?), never mixed with plain writes, so a
 * compare-and-set is linearizable per key.
 */
export class CqlContextStore implements TaskContextStore {
  private readonly t: string;

  constructor(
    private readonly exec: CqlExecutor,
    ks: string,
    private readonly clock: Clock,
    private readonly maxValueBytes: number = CONTEXT_LIMITS.maxValueBytes,
  ) {
    this.t = `${ks}.task_context`;
  }

  private async read(s: ContextScope, key: string): Promise<Stored> {
    const page = await this.exec.execute(
      `SELECT value, version, updated_at, expires_at FROM ${this.t} WHERE scope_kind = ? AND scope_id = ? AND key = ?`,
      [s.kind, s.id, key],
    );
    const r = page.rows[0];
    if (!r) return { physical: false, rowVersion: null, live: 0, value: null, updatedAt: null, expiresAt: null };
    const version = (r['version'] as number | null) ?? null;
    const expiresAt = (r['expires_at'] as Date | null) ?? null;
    return {
      physical: true,
      rowVersion: version,
      live: version !== null && isLive(expiresAt, this.clock.now()) ? version : 0,
      value: r['value'] as string | null,
      updatedAt: r['updated_at'] as Date | null,
      expiresAt,
    };
  }

  async get<T>(scope: ContextScope, key: string): Promise<Versioned<T> | null> {
    const s = checkScope(scope);
    const k = checkKey(key);
    const r = await this.read(s, k);
    if (!r.live) return null;
    return {
      key: k,
      value: JSON.parse(r.value!) as T,
      version: r.live,
      updatedAt: r.updatedAt!.toISOString(),
      expiresAt: r.expiresAt?.toISOString() ?? null,
    };
  }

  async put<T>(scope: ContextScope, key: string, value: T, options?: PutOptions): Promise<Versioned<T>> {
    const p = checkPut(scope, key, value, options, this.maxValueBytes);
    const s = { kind: p.scopeKind, id: p.scopeId };
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      const current = await this.read(s, p.key);
      if (p.expectedVersion !== undefined && p.expectedVersion !== current.live)
        throw staleVersion(p.key, p.expectedVersion, current.live);
      if (!current.live && (await this.liveKeys(s)) >= CONTEXT_LIMITS.keysPerScope) throw fullScope(p.key);
      const version = current.live + 1;
      const expiresAt = expiryOf(now, p.ttlSeconds);
      const ttl = p.ttlSeconds === undefined ? 0 : p.ttlSeconds + TTL_GRACE_S;
      const page = current.physical
        ? await this.exec.execute(
            `UPDATE ${this.t} USING TTL ? SET value = ?, version = ?, updated_at = ?, expires_at = ? WHERE scope_kind = ? AND scope_id = ? AND key = ? IF version = ?`,
            [ttl, p.json, version, now, expiresAt, s.kind, s.id, p.key, current.rowVersion],
            { serial: true },
          )
        : await this.exec.execute(
            `INSERT INTO ${this.t} (scope_kind, scope_id, key, value, version, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS USING TTL ?`,
            [s.kind, s.id, p.key, p.json, version, now, expiresAt, ttl],
            { serial: true },
          );
      if (applied(page))
        return {
          key: p.key,
          value: JSON.parse(p.json) as T,
          version,
          updatedAt: now.toISOString(),
          expiresAt: expiresAt?.toISOString() ?? null,
        };
      // Another writer got there first: for a compare-and-set that is the conflict; otherwise read again.
      if (p.expectedVersion !== undefined)
        throw staleVersion(p.key, p.expectedVersion, (await this.read(s, p.key)).live);
    }
    throw new ConflictError('key', `"${p.key}" is written by too many writers at once; retry`);
  }

  async delete(scope: ContextScope, key: string, options?: { expectedVersion?: number }): Promise<boolean> {
    const s = checkScope(scope);
    const k = checkKey(key);
    const expected = checkExpected(options?.expectedVersion);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.read(s, k);
      if (expected !== undefined && expected !== current.live) throw staleVersion(k, expected, current.live);
      // Absent or expired: nothing to delete (an expired row is collected by its TTL).
      if (!current.live) return false;
      const page = await this.exec.execute(
        `DELETE FROM ${this.t} WHERE scope_kind = ? AND scope_id = ? AND key = ? IF version = ?`,
        [s.kind, s.id, k, current.live],
        { serial: true },
      );
      if (applied(page)) return true;
      if (expected !== undefined) throw staleVersion(k, expected, (await this.read(s, k)).live);
    }
    throw new ConflictError('key', `"${k}" is written by too many writers at once; retry`);
  }

  async list(
    scope: ContextScope,
    page: PageRequest,
  ): Promise<Page<{ key: string; version: number; updatedAt: string }>> {
    const s = checkScope(scope);
    const limit = checkLimit(page);
    const after = decodeCursor<string>(page.cursor) ?? '';
    const now = this.clock.now();
    const items: { key: string; version: number; updatedAt: string }[] = [];
    const rows = allRows(
      this.exec,
      {
        query: `SELECT key, version, updated_at, expires_at FROM ${this.t} WHERE scope_kind = ? AND scope_id = ? AND key > ?`,
        params: [s.kind, s.id, after],
      },
      limit + 1,
    );
    for await (const r of rows) {
      if (r['version'] === null || !isLive((r['expires_at'] as Date | null) ?? null, now)) continue;
      if (items.length === limit) return { items, cursor: encodeCursor(items[items.length - 1]!.key) };
      items.push({
        key: r['key'] as string,
        version: r['version'] as number,
        updatedAt: (r['updated_at'] as Date).toISOString(),
      });
    }
    return { items };
  }

  /** Live keys of a scope, for the keys-per-scope bound (the partition holds at most that many plus expired rows). */
  private async liveKeys(s: ContextScope): Promise<number> {
    const now = this.clock.now();
    let n = 0;
    for await (const r of allRows(this.exec, {
      query: `SELECT version, expires_at FROM ${this.t} WHERE scope_kind = ? AND scope_id = ?`,
      params: [s.kind, s.id],
    }))
      if (r['version'] !== null && isLive((r['expires_at'] as Date | null) ?? null, now)) n++;
    return n;
  }
}
