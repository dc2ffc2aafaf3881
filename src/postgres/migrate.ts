import { createHash } from 'node:crypto';
import type pg from 'pg';
import { MigrationChecksumError } from '../migrations/runner.ts';
import { SCHEMA_PATTERN } from './connect.ts';
import { PG_MIGRATIONS } from './migrations/index.ts';
import type { PgMigration } from './migrations/migration.ts';

export function pgChecksum(m: PgMigration): string {
  return createHash('sha256').update(m.statements.join(';\n')).digest('hex').slice(0, 16);
}

export interface PgMigrateResult {
  applied: number[];
  version: number;
}

/**
 * Applies the pending migrations to `schema`. A session-level advisory lock (keyed by the schema)
 * lets concurrent runners queue: one applies, the others wait, then find nothing to do. The lock
 * dies with the connection, so a crashed runner never leaves it held. Each migration and its
 * schema_migrations row commit in one transaction: an interrupted run leaves no half-migration.
 */
export async function migratePg(
  pool: pg.Pool,
  schema: string,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<PgMigrateResult> {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`agentstore.migrate.${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`SET search_path = ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Map(
        (
          await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')
        ).rows.map((r) => [r.version, r.checksum]),
      );
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        const sum = pgChecksum(m);
        const was = done.get(m.version);
        if (was !== undefined) {
          if (was !== sum) {
            throw new MigrationChecksumError(
              `PostgreSQL migration ${m.version} (${m.name}) in schema ${schema} was applied with checksum ${was} but is now ${sum}: ` +
                'never edit an applied migration; add a new one (or drop the schema of a throwaway dataset)',
            );
          }
          continue;
        }
        await client.query('BEGIN');
        try {
          for (const sql of m.statements) await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            sum,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`PostgreSQL migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
        applied.push(m.version);
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`agentstore.migrate.${schema}`]);
    }
    return { applied, version: await pgSchemaVersion(pool, schema) };
  } finally {
    client.release();
  }
}

/** 0 when the schema or its schema_migrations table does not exist yet. */
export async function pgSchemaVersion(pool: pg.Pool, schema: string): Promise<number> {
  const exists = await pool.query(`SELECT to_regclass($1) AS t`, [`${schema}.schema_migrations`]);
  if (!exists.rows[0]?.t) return 0;
  const r = await pool.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${schema}.schema_migrations`);
  return r.rows[0]?.v ?? 0;
}
