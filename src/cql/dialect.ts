import type { CqlExecutor } from './executor.ts';

/**
 * ScyllaDB is the production server; Apache Cassandra 5 is the stand-in we can run here. Their CQL
 * differs in a few places (keyspace tablets, the `cdc` table option), so DDL is generated per dialect.
 */
export type Dialect = 'scylla' | 'cassandra';
export const DIALECTS: readonly Dialect[] = ['scylla', 'cassandra'];

/**
 * `system.versions` is a ScyllaDB virtual table (scylladb docs/dev/system_keyspace.md, implemented by
 * versions_table in db/system_keyspace.cc); Cassandra answers "table does not exist".
 */
export async function detectDialect(exec: CqlExecutor): Promise<{ dialect: Dialect; version: string }> {
  try {
    const page = await exec.execute(`SELECT version FROM system.versions WHERE key = 'local'`);
    return { dialect: 'scylla', version: String(page.rows[0]?.['version'] ?? 'unknown') };
  } catch {
    const page = await exec.execute(`SELECT release_version FROM system.local WHERE key = 'local'`);
    return { dialect: 'cassandra', version: String(page.rows[0]?.['release_version'] ?? 'unknown') };
  }
}
