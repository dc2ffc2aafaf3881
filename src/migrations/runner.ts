import { createHash, randomUUID } from 'node:crypto';
import { applied, isMissingSchema, type CqlExecutor } from '../cql/executor.ts';
import type { Dialect } from '../cql/dialect.ts';
import { createKeyspaceCql, createTableCql, KEYSPACE_PATTERN, type ReplicationOptions } from '../schema/table.ts';
import { LATEST_VERSION, MIGRATIONS } from './index.ts';
import type { Migration, MigrationContext, SchemaStep } from './migration.ts';

export interface MigrateOptions extends ReplicationOptions {
  exec: CqlExecutor;
  keyspace: string;
  dialect: Dialect;
  /** Stop after this version (default: the latest). */
  target?: number;
  /** How long to wait for another process's lock before giving up. */
  lockTimeoutMs?: number;
  log?: (message: string) => void;
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  applied: number[];
  alreadyApplied: number[];
  version: number;
}

export class MigrationChecksumError extends Error {
  override name = 'MigrationChecksumError';
}

const LOCK_TTL_S = 60;

export function renderStep(step: SchemaStep, keyspace: string, dialect: Dialect): string {
  if ('createTable' in step) return createTableCql(keyspace, step.createTable, dialect);
  const { table, column, type } = step.addColumn;
  return `ALTER TABLE ${keyspace}.${table} ADD ${column} ${type}`;
}

const dropTableCql = (keyspace: string, table: string): string => `DROP TABLE IF EXISTS ${keyspace}.${table}`;

/** The checksum covers what the migration does on this dialect, so an edited migration is caught. */
export function checksum(m: Migration, dialect: Dialect): string {
  const hash = createHash('sha256');
  hash.update(`${m.version}\n${m.name}\n${m.backfillRevision ?? 0}\n`);
  for (const step of m.steps) hash.update(renderStep(step, 'ks', dialect) + '\n');
  for (const table of m.dropTables ?? []) hash.update(dropTableCql('ks', table) + '\n');
  return hash.digest('hex').slice(0, 16);
}

async function applyStep(ctx: MigrationContext, step: SchemaStep): Promise<void> {
  if ('addColumn' in step) {
    const { table, column } = step.addColumn;
    const existing = await ctx.exec.execute(
      'SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND column_name = ?',
      [ctx.keyspace, table, column],
    );
    if (existing.rows.length) return;
  }
  await ctx.exec.execute(renderStep(step, ctx.keyspace, ctx.dialect));
}

/**
 * Applies pending migrations in order. Safe to run from several processes at once (a Helm hook and a
 * developer, two replicas of a job): a lightweight-transaction lock lets one apply while the others
 * wait, then find nothing left to do. The lock expires by TTL if its holder dies, and is renewed
 * while a long backfill runs.
 */
export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  const { exec, keyspace, dialect } = opts;
  const log = opts.log ?? (() => {});
  const migrations: readonly Migration[] = opts.migrations ?? MIGRATIONS;
  if (!KEYSPACE_PATTERN.test(keyspace)) {
    throw new Error(
      `keyspace "${keyspace}" is not a valid name: use lower-case letters, digits and _, starting with a letter (max 48)`,
    );
  }
  const target = opts.target ?? migrations[migrations.length - 1]!.version;
  if (!migrations.some((m) => m.version === target)) {
    throw new Error(
      `--target ${target} is not a known migration version; known: ${migrations.map((m) => m.version).join(', ')}`,
    );
  }

  await exec.execute(createKeyspaceCql(keyspace, dialect, opts));
  await exec.execute(
    `CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migrations (version int PRIMARY KEY, name text, checksum text, dialect text, applied_at timestamp)`,
  );
  await exec.execute(
    `CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migration_lock (name text PRIMARY KEY, owner text, acquired_at timestamp)`,
  );

  const owner = randomUUID();
  await acquireLock(exec, keyspace, owner, opts.lockTimeoutMs ?? 300_000, log);
  const renew = setInterval(
    () => {
      exec
        .execute(
          `UPDATE ${keyspace}.schema_migration_lock USING TTL ${LOCK_TTL_S} SET owner = ?, acquired_at = ? WHERE name = 'schema' IF owner = ?`,
          [owner, new Date(), owner],
          { serial: true },
        )
        .catch((err: Error) => log(`warning: could not renew the migration lock: ${err.message}`));
    },
    (LOCK_TTL_S * 1000) / 3,
  );
  try {
    const done = new Map<number, string>();
    for (const row of (await exec.execute(`SELECT version, checksum FROM ${keyspace}.schema_migrations`)).rows) {
      done.set(row['version'] as number, row['checksum'] as string);
    }
    const result: MigrateResult = { applied: [], alreadyApplied: [], version: 0 };
    const ctx: MigrationContext = { exec, keyspace, dialect, log };
    for (const m of migrations) {
      const sum = checksum(m, dialect);
      const recorded = done.get(m.version);
      if (recorded !== undefined) {
        if (recorded !== sum) {
          throw new MigrationChecksumError(
            `migration ${m.version} ("${m.name}") was changed after it was applied to keyspace ${keyspace}: ` +
              `checksum ${recorded} in the database, ${sum} in this build. Restore the released migration and put the change in a new one.`,
          );
        }
        result.alreadyApplied.push(m.version);
        result.version = m.version;
        continue;
      }
      if (m.version > target) break;
      log(`applying ${m.version} ${m.name}`);
      for (const step of m.steps) await applyStep(ctx, step);
      if (m.backfill) await m.backfill(ctx);
      for (const table of m.dropTables ?? []) await exec.execute(dropTableCql(keyspace, table));
      await exec.execute(
        `INSERT INTO ${keyspace}.schema_migrations (version, name, checksum, dialect, applied_at) VALUES (?, ?, ?, ?, ?)`,
        [m.version, m.name, sum, dialect, new Date()],
      );
      result.applied.push(m.version);
      result.version = m.version;
    }
    return result;
  } finally {
    clearInterval(renew);
    await exec
      .execute(`DELETE FROM ${keyspace}.schema_migration_lock WHERE name = 'schema' IF owner = ?`, [owner], {
        serial: true,
      })
      .catch(() => {});
  }
}

async function acquireLock(
  exec: CqlExecutor,
  keyspace: string,
  owner: string,
  timeoutMs: number,
  log: (m: string) => void,
) {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const page = await exec.execute(
      `INSERT INTO ${keyspace}.schema_migration_lock (name, owner, acquired_at) VALUES ('schema', ?, ?) IF NOT EXISTS USING TTL ${LOCK_TTL_S}`,
      [owner, new Date()],
      { serial: true },
    );
    if (applied(page)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for the migration lock held by ${String(page.rows[0]?.['owner'])} ` +
          `(another migrate is running; a crashed one releases it within ${LOCK_TTL_S}s)`,
      );
    }
    if (!announced) log(`waiting for another migration (lock held by ${String(page.rows[0]?.['owner'])})`);
    announced = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The highest applied version, or 0 where the keyspace or its migrations table does not exist yet. */
export async function schemaVersion(exec: CqlExecutor, keyspace: string): Promise<number> {
  try {
    const rows = (await exec.execute(`SELECT version FROM ${keyspace}.schema_migrations`)).rows;
    return rows.reduce((max, r) => Math.max(max, r['version'] as number), 0);
  } catch (err) {
    // Only "no such keyspace/table" means version 0: an unreachable server or a timeout is not an empty keyspace.
    if (isMissingSchema(err)) return 0;
    throw err;
  }
}

/** The keyspace is missing or behind: what every command but `migrate` needs before it reads or writes. */
export class SchemaNotReadyError extends Error {
  override name = 'SchemaNotReadyError';
  constructor(
    readonly keyspace: string,
    readonly version: number,
    readonly latest: number,
  ) {
    super(
      version === 0
        ? `keyspace ${keyspace} has no agentstore schema (it does not exist, or was never migrated)`
        : `keyspace ${keyspace} is at schema version ${version} of ${latest}`,
    );
  }
}

/** Throws SchemaNotReadyError unless every migration this code knows is applied. */
export async function requireSchema(exec: CqlExecutor, keyspace: string, latest = LATEST_VERSION): Promise<void> {
  const version = await schemaVersion(exec, keyspace);
  if (version < latest) throw new SchemaNotReadyError(keyspace, version, latest);
}
