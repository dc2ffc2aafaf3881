import type { Role } from '../domain/model.ts';
import type { StepType } from '../domain/step-types.ts';
import type { CqlType, TableDef } from '../schema/table.ts';
import { MIGRATIONS } from './index.ts';
import type { Migration } from './migration.ts';

/**
 * The current tables, folded from the migrations: the one home of the table list, the primary keys
 * and the column types. The types below are computed from the migrations' literal definitions, so a
 * new migration changes them too: a statement naming a column that no migration created does not
 * compile (src/store/statements.ts).
 */
export function currentTables(migrations: readonly Migration[] = MIGRATIONS): TableDef[] {
  const tables = new Map<string, TableDef & { columns: Record<string, CqlType> }>();
  for (const m of migrations) {
    for (const step of m.steps) {
      if ('createTable' in step)
        tables.set(step.createTable.name, { ...step.createTable, columns: { ...step.createTable.columns } });
      else tables.get(step.addColumn.table)!.columns[step.addColumn.column] = step.addColumn.type;
    }
    for (const name of m.dropTables ?? []) tables.delete(name);
  }
  return [...tables.values()];
}

type Step = (typeof MIGRATIONS)[number]['steps'][number];
type Added = Extract<Step, { addColumn: unknown }>['addColumn'];
type Dropped = Extract<(typeof MIGRATIONS)[number], { dropTables: readonly string[] }>['dropTables'][number];
/** A table a migration created and no later migration dropped. */
type Created = Exclude<Extract<Step, { createTable: unknown }>['createTable'], { name: Dropped }>;

/** The name of a current table. */
export type TableName = Created['name'];
/** A table whose changes the read side consumes (`cdc: true` in its migration). */
export type CdcTable = Extract<Created, { cdc: true }>['name'];
type Def<T extends TableName> = Extract<Created, { name: T }>;

/** Column -> CQL type: the table's createTable columns plus every later addColumn. */
type Columns<T extends TableName> = Def<T>['columns'] & {
  [A in Extract<Added, { table: T }> as A['column']]: A['type'];
};
type Partition<T extends TableName> = Def<T>['partitionKey'][number];
type Clustering<T extends TableName> = Def<T> extends { clustering: readonly { column: infer C }[] } ? C : never;
/** The primary key columns: every row write names them. */
export type KeyColumn<T extends TableName> = Partition<T> | Clustering<T>;
/** Never null in a row read: the partition key, and the clustering key unless a static-only row can exist. */
type NeverNull<T extends TableName> =
  Partition<T> | (Def<T> extends { staticColumns: readonly string[] } ? never : Clustering<T>);

/** How cassandra-driver returns a value of each CQL type, after cql/driver.ts plain(). */
interface DriverValue {
  text: string;
  timestamp: Date;
  date: string;
  int: number;
  double: number;
  blob: Buffer;
}
/** How the connector's JSON converter writes a value of each CQL type (src/cdc/rows.ts). */
interface ImageValue {
  text: string;
  timestamp: number;
  date: number;
  int: number;
  double: number;
  /** base64 */
  blob: string;
}
type Typed<T extends TableName, V extends Record<CqlType, unknown>> = {
  -readonly [C in keyof Columns<T>]: V[Columns<T>[C] & CqlType] | (C extends NeverNull<T> ? never : null);
};
/**
 * Columns that hold a domain type, in every table that has them. Only the store writes them, and its
 * writes are typed by RowOf, so what it reads back is of that type.
 */
interface DomainValue {
  role: Role;
  step_type: StepType;
}
type WithDomain<R> = {
  [C in keyof R]: C extends keyof DomainValue ? DomainValue[C] | (null extends R[C] ? null : never) : R[C];
};
/** A row of table T as the driver returns it; a column outside the key is null where never written. */
export type RowOf<T extends TableName> = WithDomain<Typed<T, DriverValue>>;
/** A row image of CDC table T as the connector publishes it. */
export type ImageOf<T extends CdcTable> = Typed<T, ImageValue>;

const TABLES = new Map(currentTables().map((t) => [t.name, t]));

/** The table's definition (current columns). */
export const tableDef = (table: TableName): TableDef => TABLES.get(table)!;

/** Primary key columns in key order: the partition key, then the clustering columns. */
export function keyOf(table: TableName): { partition: readonly string[]; clustering: readonly string[] } {
  const t = tableDef(table);
  return { partition: t.partitionKey, clustering: (t.clustering ?? []).map((c) => c.column) };
}

export const isCdcTable = (name: string): name is CdcTable => TABLES.get(name)?.cdc === true;

/** The CDC-enabled tables the read models are built from, in migration order. */
export const CDC_TABLES: readonly CdcTable[] = [...TABLES.keys()].filter(isCdcTable);

/** The Markdown table of tables -> queries -> keys, embedded in README.md and docs/data-model.md (scripts/docs). */
export function tablesMarkdown(): string {
  const rows = currentTables().map((t) => {
    const clustering = (t.clustering ?? []).map((c) => `${c.column} ${c.order}`).join(', ') || '-';
    return `| \`${t.name}\` | (${t.partitionKey.join(', ')}) | ${clustering} | ${t.cdc ? 'yes' : '-'} | ${t.serves} |`;
  });
  return ['| table | partition key | clustering | CDC (ScyllaDB) | serves |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
