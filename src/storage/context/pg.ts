import type pg from 'pg';
import { ConflictError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../domain/queries.ts';
import { checkLimit, decodeCursor, encodeCursor } from '../../domain/query-args.ts';
import { inTransaction } from '../backend/pg-tx.ts';
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

const ATTEMPTS = 16;
const ROW =
  'SELECT value, version, updated_at, expires_at FROM task_context WHERE scope_kind = $1 AND scope_id = $2 AND key = $3';

/**
 * TaskContextStore on PostgreSQL: a compare-and-set reads the row FOR UPDATE in the transaction
 * that writes it, so concurrent writers of a key serialise; a create races on the primary key
 * (INSERT ... ON CONFLICT DO NOTHING). Expired rows are hidden by the injected clock and replaced
 * by the next create.
 */
export class PgContextStore implements TaskContextStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly maxValueBytes: number = CONTEXT_LIMITS.maxValueBytes,
  ) {}

  async get<T>(scope: ContextScope, key: string): Promise<Versioned<T> | null> {
    const s = checkScope(scope);
    const k = checkKey(key);
    const r = (await this.pool.query(ROW, [s.kind, s.id, k])).rows[0];
    if (!r || !isLive(r['expires_at'], this.clock.now())) return null;
    return {
      key: k,
      value: JSON.parse(r['value']) as T,
      version: r['version'],
      updatedAt: r['updated_at'].toISOString(),
      expiresAt: r['expires_at']?.toISOString() ?? null,
    };
  }

  async put<T>(scope: ContextScope, key: string, value: T, options?: PutOptions): Promise<Versioned<T>> {
    const p = checkPut(scope, key, value, options, this.maxValueBytes);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const done = await inTransaction(this.pool, async (tx) => {
        const now = this.clock.now();
        const r = (await tx.query(`${ROW} FOR UPDATE`, [p.scopeKind, p.scopeId, p.key])).rows[0];
        const live = r && isLive(r['expires_at'], now) ? (r['version'] as number) : 0;
        if (p.expectedVersion !== undefined && p.expectedVersion !== live)
          throw staleVersion(p.key, p.expectedVersion, live);
        if (!live) {
          const n = await tx.query(
            'SELECT count(*)::int AS n FROM task_context WHERE scope_kind = $1 AND scope_id = $2 AND (expires_at IS NULL OR expires_at > $3)',
            [p.scopeKind, p.scopeId, now],
          );
          if (n.rows[0]!['n'] >= CONTEXT_LIMITS.keysPerScope) throw fullScope(p.key);
        }
        const version = live + 1;
        const expiresAt = expiryOf(now, p.ttlSeconds);
        const params = [p.scopeKind, p.scopeId, p.key, p.json, version, now, expiresAt];
        const written = r
          ? await tx.query(
              'UPDATE task_context SET value = $4, version = $5, updated_at = $6, expires_at = $7 WHERE scope_kind = $1 AND scope_id = $2 AND key = $3',
              params,
            )
          : await tx.query(
              'INSERT INTO task_context (scope_kind, scope_id, key, value, version, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING',
              params,
            );
        if (!written.rowCount) return null;
        return {
          key: p.key,
          value: JSON.parse(p.json) as T,
          version,
          updatedAt: now.toISOString(),
          expiresAt: expiresAt?.toISOString() ?? null,
        };
      });
      if (done) return done;
      // A concurrent create took the key first.
      if (p.expectedVersion !== undefined)
        throw staleVersion(
          p.key,
          p.expectedVersion,
          (await this.get({ kind: p.scopeKind, id: p.scopeId }, p.key))?.version ?? 0,
        );
    }
    throw new ConflictError('key', `"${p.key}" is written by too many writers at once; retry`);
  }

  async delete(scope: ContextScope, key: string, options?: { expectedVersion?: number }): Promise<boolean> {
    const s = checkScope(scope);
    const k = checkKey(key);
    const expected = checkExpected(options?.expectedVersion);
    return inTransaction(this.pool, async (tx) => {
      const r = (await tx.query(`${ROW} FOR UPDATE`, [s.kind, s.id, k])).rows[0];
      const live = r && isLive(r['expires_at'], this.clock.now()) ? (r['version'] as number) : 0;
      if (expected !== undefined && expected !== live) throw staleVersion(k, expected, live);
      if (r)
        await tx.query('DELETE FROM task_context WHERE scope_kind = $1 AND scope_id = $2 AND key = $3', [
          s.kind,
          s.id,
          k,
        ]);
      return live > 0;
    });
  }

  async list(
    scope: ContextScope,
    page: PageRequest,
  ): Promise<Page<{ key: string; version: number; updatedAt: string }>> {
    const s = checkScope(scope);
    const limit = checkLimit(page);
    const after = decodeCursor<string>(page.cursor) ?? '';
    const rows = (
      await this.pool.query(
        `SELECT key, version, updated_at FROM task_context WHERE scope_kind = $1 AND scope_id = $2 AND key > $3
           AND (expires_at IS NULL OR expires_at > $4) ORDER BY key LIMIT $5`,
        [s.kind, s.id, after, this.clock.now(), limit + 1],
      )
    ).rows;
    const items = rows.slice(0, limit).map((r) => ({
      key: r['key'] as string,
      version: r['version'] as number,
      updatedAt: (r['updated_at'] as Date).toISOString(),
    }));
    return rows.length > limit ? { items, cursor: encodeCursor(items[items.length - 1]!.key) } : { items };
  }
}
