import type { CqlExecutor } from '../cql/executor.ts';
import type { Dialect } from '../cql/dialect.ts';
import type { CqlType, TableDef } from '../schema/table.ts';

/** One schema change. DDL steps are idempotent, so a migration interrupted half-way can simply run again. */
export type SchemaStep =
  | { createTable: TableDef }
  /** Cassandra and ScyllaDB have no ADD COLUMN IF NOT EXISTS; the runner checks system_schema first. */
  | { addColumn: { readonly table: string; readonly column: string; readonly type: CqlType } };

export interface MigrationContext {
  exec: CqlExecutor;
  keyspace: string;
  dialect: Dialect;
  log: (message: string) => void;
}

export interface Migration {
  version: number;
  name: string;
  steps: readonly SchemaStep[];
  /** Fills new tables or columns from existing data; must be idempotent (upserts only). */
  backfill?: (ctx: MigrationContext) => Promise<void>;
  /** Bump when the backfill's behaviour changes, so a changed migration is detected like changed DDL. */
  backfillRevision?: number;
  /**
   * Tables the migration replaces, dropped after its backfill (DROP TABLE IF EXISTS): writers and
   * readers of the previous release that still use them then fail loudly instead of writing rows
   * nobody reads.
   */
  dropTables?: readonly string[];
}
