import type { CqlExecutor } from '../cql/executor.ts';
import { UsageError } from '../config/settings.ts';

/**
 * One table as a logical backup sees it: its columns by kind, read from system_schema (the same on
 * ScyllaDB and Cassandra), and the statements that scan one token range with each cell's write time
 * and TTL.
 */
interface ColumnInfo {
  name: string;
  type: string;
  kind: 'partition_key' | 'clustering' | 'static' | 'regular';
}

export interface TableLayout {
  table: string;
  /** Partition key in key order, then clustering columns in key order, then static and regular ones. */
  columns: ColumnInfo[];
}

/**
 * The value types whose JSON form round-trips exactly through encodeValue/decodeValue. Counters are
 * refused (a counter cannot be written with USING TIMESTAMP: CQL counters are incremented, not set),
 * and so are collections, tuples and UDTs, whose cells carry a write time each (none of our tables has them).
 */
const SCALARS = new Set([
  'text',
  'ascii',
  'varchar',
  'int',
  'smallint',
  'tinyint',
  'bigint',
  'double',
  'float',
  'boolean',
  'timestamp',
  'date',
  'uuid',
  'timeuuid',
  'blob',
]);

const KIND_ORDER = { partition_key: 0, clustering: 1, static: 2, regular: 3 } as const;

export async function tableLayout(exec: CqlExecutor, keyspace: string, table: string): Promise<TableLayout> {
  const page = await exec.execute(
    'SELECT column_name, type, kind, position FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
    [keyspace, table],
  );
  if (!page.rows.length) throw new UsageError(`table ${keyspace}.${table} does not exist`);
  const columns = page.rows
    .map((r) => ({
      name: String(r['column_name']),
      type: String(r['type']),
      kind: String(r['kind']) as ColumnInfo['kind'],
      position: Number(r['position']),
    }))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.position - b.position || a.name.localeCompare(b.name));
  for (const c of columns) {
    if (!SCALARS.has(c.type)) {
      throw new UsageError(
        `${keyspace}.${table}.${c.name} is of type ${c.type}, which a logical backup does not carry ` +
          `(counters cannot be restored with their write time; collections, tuples and UDTs keep a write time per element): ` +
          `back up that table with the node tools (docs/backup.md)`,
      );
    }
  }
  return { table, columns: columns.map(({ name, type, kind }) => ({ name, type, kind })) };
}

const isCell = (c: ColumnInfo): boolean => c.kind === 'static' || c.kind === 'regular';

/** Murmur3's token ring (ScyllaDB's only partitioner, Cassandra's default): [-2^63, 2^63 - 1]. */
const MIN_TOKEN = -(2n ** 63n);
const MAX_TOKEN = 2n ** 63n - 1n;

export interface TokenRange {
  index: number;
  /** Exclusive. */
  start: bigint;
  /** Inclusive. */
  end: bigint;
}

/**
 * The ring split into `count` equal ranges (start, end]. Murmur3 never yields -2^63 as a token (it
 * maps it to 2^63 - 1: Murmur3Partitioner.getToken), so the first range's exclusive start loses nothing.
 */
export function tokenRanges(count: number): TokenRange[] {
  const span = MAX_TOKEN - MIN_TOKEN;
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    start: MIN_TOKEN + (span * BigInt(i)) / BigInt(count),
    end: i === count - 1 ? MAX_TOKEN : MIN_TOKEN + (span * BigInt(i + 1)) / BigInt(count),
  }));
}

/** SELECT of one range: every column, then WRITETIME and TTL of each static and regular column. */
export function rangeQuery(keyspace: string, layout: TableLayout): string {
  const pk = layout.columns.filter((c) => c.kind === 'partition_key').map((c) => c.name);
  const cells = layout.columns.filter(isCell).map((c) => c.name);
  const select = [
    ...layout.columns.map((c) => c.name),
    ...cells.flatMap((c) => [`WRITETIME(${c}) AS "w:${c}"`, `TTL(${c}) AS "t:${c}"`]),
  ].join(', ');
  const token = `token(${pk.join(', ')})`;
  return `SELECT ${select} FROM ${keyspace}.${layout.table} WHERE ${token} > ? AND ${token} <= ?`;
}

/**
 * One row as stored in a part: `v` the values by column (absent: null), `w` each cell's write time
 * (microseconds, as a decimal string: it passes 2^53), `x` each expiring cell's expiry (Unix seconds:
 * TTL() is what remains at scan time, so the expiry is the fact that survives a slow restore).
 */
export interface BackupRow {
  v: Record<string, unknown>;
  w: Record<string, string>;
  x?: Record<string, number>;
}

function encodeValue(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'timestamp':
      return (value as Date).getTime();
    case 'bigint':
      return String(value);
    case 'blob':
      return (value as Buffer).toString('base64');
    case 'double':
    case 'float':
      return Number.isFinite(value as number) ? value : String(value);
    case 'uuid':
    case 'timeuuid':
    case 'date':
      return String(value);
    default:
      return value;
  }
}

/** A value of a part back to what the driver binds for that type. */
export function decodeValue(type: string, value: unknown): unknown {
  if (value === null) return null;
  switch (type) {
    case 'timestamp':
      return new Date(value as number);
    case 'bigint':
      return BigInt(value as string);
    case 'blob':
      return Buffer.from(value as string, 'base64');
    case 'double':
    case 'float':
      return typeof value === 'string' ? Number(value) : value;
    default:
      return value;
  }
}

/** A scanned driver row as a BackupRow; `nowS` is the scan time, to turn TTLs into expiries. */
export function toBackupRow(layout: TableLayout, row: Record<string, unknown>, nowS: number): BackupRow {
  const out: BackupRow = { v: {}, w: {} };
  for (const c of layout.columns) {
    const value = encodeValue(c.type, row[c.name]);
    if (value !== null) out.v[c.name] = value;
    if (!isCell(c) || value === null) continue;
    out.w[c.name] = String(row[`w:${c.name}`]);
    const ttl = row[`t:${c.name}`];
    if (typeof ttl === 'number') (out.x ??= {})[c.name] = nowS + ttl;
  }
  return out;
}

/** What a row's checksum covers: values and write times, not the expiries (they depend on when it was scanned, by a second). */
export const checksumLine = (r: BackupRow): string => JSON.stringify([r.v, r.w]);
