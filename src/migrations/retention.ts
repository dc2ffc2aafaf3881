import type { CqlExecutor } from '../cql/executor.ts';
import { ValidationError } from '../domain/errors.ts';
import { TTL_TABLES } from './lifecycle.ts';

/** At most ten years: a TTL must stay below the 20-year cap of Cassandra and ScyllaDB. */
export const MAX_RETENTION_DAYS = 3650;

/**
 * Sets the analytics tables' retention (src/migrations/lifecycle.ts: the tables whose retention may
 * be a TTL) as their `default_time_to_live`, 0 = keep forever. It applies to rows written from now
 * on; rows already stored keep the TTL they were written with (none before the first setting).
 * Supported alike by ScyllaDB and Cassandra (CQL `default_time_to_live` table option).
 */
export async function setAnalyticsRetention(exec: CqlExecutor, keyspace: string, days: number): Promise<string[]> {
  if (!Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS)
    throw new ValidationError(
      '--analytics-days',
      `must be a whole number of days from 0 (off) to ${MAX_RETENTION_DAYS}`,
    );
  for (const t of TTL_TABLES)
    await exec.execute(`ALTER TABLE ${keyspace}.${t} WITH default_time_to_live = ${days * 86_400}`);
  return TTL_TABLES;
}

/** Each table's `default_time_to_live` in seconds, as the server reports it. */
export async function tableTtls(exec: CqlExecutor, keyspace: string): Promise<Record<string, number>> {
  const page = await exec.execute(
    'SELECT table_name, default_time_to_live FROM system_schema.tables WHERE keyspace_name = ?',
    [keyspace],
  );
  return Object.fromEntries(page.rows.map((r) => [r['table_name'] as string, Number(r['default_time_to_live'])]));
}
