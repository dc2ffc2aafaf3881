import { randomBytes } from 'node:crypto';
import { cqlSettings } from '../../src/config/settings.ts';
import { connectCql, type Connected } from '../../src/cql/connect.ts';
import { currentTables } from '../../src/migrations/catalog.ts';

/**
 * Integration tests talk to the real CQL server from `make services-up` (Cassandra 5 standing in
 * for ScyllaDB), each file in keyspaces of its own so files never see each other's rows.
 */
export async function connectTestCql(): Promise<Connected> {
  try {
    return await connectCql(cqlSettings({}));
  } catch (err) {
    throw new Error(
      `integration tests need the local services: run \`make services-up\` first.\n${(err as Error).message}`,
    );
  }
}

export function testKeyspace(prefix: string): string {
  return `t_${prefix}_${randomBytes(3).toString('hex')}`;
}

export async function dropKeyspace(c: Connected, keyspace: string): Promise<void> {
  await c.exec.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
}

export async function countRows(c: Connected, keyspace: string, table: string): Promise<number> {
  const page = await c.exec.execute(`SELECT count(*) AS n FROM ${keyspace}.${table}`);
  return Number(page.rows[0]?.['n'] ?? 0);
}

export async function countAll(c: Connected, keyspace: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { name } of currentTables()) out[name] = await countRows(c, keyspace, name);
  return out;
}
