import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { connectPg, dropSchema, pgSettings } from '../../src/postgres/connect.ts';

/**
 * Integration tests talk to the real PostgreSQL from `make services-up`, each file in a schema of
 * its own (dropped afterwards), the way CQL tests use their own keyspaces.
 */
export function testSchema(prefix: string): string {
  return `t_${prefix}_${randomBytes(3).toString('hex')}`;
}

export async function connectTestPg(schema: string): Promise<pg.Pool> {
  const pool = connectPg(pgSettings({ pgSchema: schema }));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `integration tests need the local services: run \`make services-up\` first.\n${(err as Error).message}`,
    );
  }
  return pool;
}

export async function closeTestPg(pool: pg.Pool, schema: string): Promise<void> {
  await dropSchema(pool, schema);
  await pool.end();
}
