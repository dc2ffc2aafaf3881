import pg from 'pg';
import { UsageError } from '../config/settings.ts';
import { ENV, readEnv } from '../config/env.ts';
import { LOCAL } from '../config/local-services.ts';

/**
 * One pool per (database, schema). Every connection runs with search_path set to the schema and
 * the time zone set to UTC, so SQL stays unqualified and day buckets are UTC days, as in the API.
 * A schema per dataset (or per test file) keeps datasets apart the way keyspaces do on the CQL side.
 */
export interface PgSettings {
  url: string;
  schema: string;
}

export interface PgFlags {
  pg?: string;
  pgSchema?: string;
}

export const SCHEMA_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

export function pgSettings(flags: PgFlags, env: NodeJS.ProcessEnv = process.env): PgSettings {
  const url = flags.pg ?? readEnv(env, ENV.pg) ?? ENV.pg.default;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError(`--pg / AGENTSTORE_PG: "${url}" is not a postgres:// URL (e.g. ${LOCAL.postgres})`);
  }
  const schema = flags.pgSchema ?? readEnv(env, ENV.pgSchema) ?? ENV.pgSchema.default;
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new UsageError(
      `--pg-schema / AGENTSTORE_PG_SCHEMA: "${schema}" is not a valid schema name (lower-case letters, digits, _; start with a letter; at most 48)`,
    );
  }
  return { url, schema };
}

export function connectPg(s: PgSettings, max = 4): pg.Pool {
  // The schema name is checked against SCHEMA_PATTERN, so it is safe inside the options string.
  if (!SCHEMA_PATTERN.test(s.schema)) throw new UsageError(`invalid schema name "${s.schema}"`);
  const pool = new pg.Pool({ connectionString: s.url, max, options: `-c search_path=${s.schema} -c timezone=UTC` });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return pool;
}

/** Drops a schema and everything in it (tests and the index study clean up with it). */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  if (!SCHEMA_PATTERN.test(schema)) throw new UsageError(`invalid schema name "${schema}"`);
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
