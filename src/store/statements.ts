import type { RowWrite, Statement } from '../cql/executor.ts';
import { keyOf, type KeyColumn, type RowOf, type TableName } from '../migrations/catalog.ts';

/**
 * CQL statements over the current tables, typed from their definitions (kysely's typed `Database`
 * interface at this project's size): a select's rows have the selected columns' types, a write's
 * values the columns' types, and every write carries its table, kind and key (`row`). The text is
 * the CQL agentstore has always sent, every value bound:
 *   SELECT a, b FROM ks.t WHERE ...          INSERT INTO ks.t (a, b) VALUES (?, ?) [IF NOT EXISTS | USING TIMESTAMP ?]
 *   UPDATE ks.t [USING TIMESTAMP ?] SET a = ? WHERE k = ? AND ... [IF a = ?]
 *   DELETE FROM ks.t [USING TIMESTAMP ?] WHERE k = ? AND ...
 * A write timestamp (microseconds) orders versions of a row by the time they stand for, not by the
 * order they arrive in.
 */

/** The row type of a select. */
export type Selected<S> = S extends Statement<infer R> ? R : never;

type Column<T extends TableName> = keyof RowOf<T> & string;
type Values<T extends TableName> = { [C in keyof RowOf<T>]?: RowOf<T>[C] };
/** Every primary key column, with the other columns optional. */
type FullRow<T extends TableName> = Pick<RowOf<T>, KeyColumn<T> & keyof RowOf<T>> & Values<T>;

/** `SELECT <columns> FROM ks.table WHERE <where>`; `where` may go on with GROUP BY or LIMIT. */
export function select<T extends TableName, C extends Column<T>>(
  ks: string,
  table: T,
  columns: readonly C[],
  where: string,
  params: unknown[],
): Statement<Pick<RowOf<T>, C>> {
  return { query: `SELECT ${columns.join(', ')} FROM ${ks}.${table} WHERE ${where}`, params };
}

/** `SELECT <groupBy...>, count(*) AS n FROM ks.table WHERE <where>`: per group, its row count. */
export function selectCount<T extends TableName, C extends Column<T> = never>(
  ks: string,
  table: T,
  groupBy: readonly C[],
  where: string,
  params: unknown[],
): Statement<Pick<RowOf<T>, C> & { n: number }> {
  return { query: `SELECT ${[...groupBy, 'count(*) AS n'].join(', ')} FROM ${ks}.${table} WHERE ${where}`, params };
}

/**
 * The row a write names by `named` columns: the whole primary key, or (for a write of static
 * columns) exactly the partition key. Anything else would write a range of rows, which CDC
 * consumers cannot follow one row at a time, so it is refused here, where the statement is built.
 */
function rowOf<T extends TableName>(
  ks: string,
  table: T,
  kind: RowWrite['kind'],
  named: Record<string, unknown>,
  extra: { lwt?: boolean; writeTimeUs?: bigint } = {},
): RowWrite {
  const pk = keyOf(table);
  const key: Record<string, unknown> = {};
  for (const c of pk.partition) {
    if (!(c in named)) throw new Error(`${table} write without partition key column ${c}`);
    key[c] = named[c];
  }
  const staticRow = pk.clustering.length > 0 && pk.clustering.every((c) => !(c in named));
  if (!staticRow)
    for (const c of pk.clustering) {
      if (!(c in named))
        throw new Error(`${table} write names part of the clustering key (no ${c}): range writes are not CDC-visible`);
      key[c] = named[c];
    }
  return {
    keyspace: ks,
    table,
    kind,
    key,
    staticRow,
    lwt: extra.lwt ?? false,
    ...(extra.writeTimeUs !== undefined ? { writeTimeUs: extra.writeTimeUs } : {}),
  };
}

/**
 * One row, its columns in the order given; `ifNotExists` makes it a claim (a lightweight
 * transaction), `writeTimeUs` its cells' write timestamp (the two exclude each other in CQL).
 */
export function insert<T extends TableName>(
  ks: string,
  table: T,
  values: FullRow<T>,
  opts: { ifNotExists?: boolean; writeTimeUs?: bigint } = {},
): Statement<RowOf<T> & { '[applied]': boolean }> {
  const columns = Object.keys(values);
  const timestamp = opts.writeTimeUs !== undefined;
  return {
    query: `INSERT INTO ${ks}.${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${opts.ifNotExists ? ' IF NOT EXISTS' : timestamp ? ' USING TIMESTAMP ?' : ''}`,
    params: [...Object.values(values), ...(timestamp && !opts.ifNotExists ? [opts.writeTimeUs] : [])],
    row: rowOf(ks, table, 'insert', values, {
      lwt: opts.ifNotExists ?? false,
      ...(timestamp && !opts.ifNotExists ? { writeTimeUs: opts.writeTimeUs! } : {}),
    }),
  };
}

const assign = (o: object, sep: string) =>
  Object.keys(o)
    .map((c) => `${c} = ?`)
    .join(sep);

/**
 * Sets columns of the row `where` names; `writeTimeUs` becomes the cells' write timestamp (USING
 * TIMESTAMP); `onlyIf` makes it a compare-and-set (a lightweight transaction: `IF c = ?`, where a
 * null value means "c is null").
 */
export function update<T extends TableName>(
  ks: string,
  table: T,
  set: Values<T>,
  where: Values<T>,
  opts: { writeTimeUs?: bigint; onlyIf?: Values<T> } = {},
): Statement<Values<T> & { '[applied]': boolean }> {
  const timestamp = opts.writeTimeUs !== undefined;
  const condition = opts.onlyIf ? ` IF ${assign(opts.onlyIf, ' AND ')}` : '';
  return {
    query: `UPDATE ${ks}.${table}${timestamp ? ' USING TIMESTAMP ?' : ''} SET ${assign(set, ', ')} WHERE ${assign(where, ' AND ')}${condition}`,
    params: [
      ...(timestamp ? [opts.writeTimeUs] : []),
      ...Object.values(set),
      ...Object.values(where),
      ...Object.values(opts.onlyIf ?? {}),
    ],
    row: rowOf(ks, table, 'update', where, {
      lwt: opts.onlyIf !== undefined,
      ...(timestamp ? { writeTimeUs: opts.writeTimeUs! } : {}),
    }),
  };
}

/** Deletes the one row `where` names (a row delete: CDC consumers see it), at `writeTimeUs` when given. */
export function deleteRow<T extends TableName>(
  ks: string,
  table: T,
  where: Values<T>,
  opts: { writeTimeUs?: bigint } = {},
): Statement {
  const timestamp = opts.writeTimeUs !== undefined;
  return {
    query: `DELETE FROM ${ks}.${table}${timestamp ? ' USING TIMESTAMP ?' : ''} WHERE ${assign(where, ' AND ')}`,
    params: [...(timestamp ? [opts.writeTimeUs] : []), ...Object.values(where)],
    row: rowOf(ks, table, 'delete', where, opts),
  };
}
