import { allRows, type CqlExecutor, type Row } from '../cql/executor.ts';
import { currentTables } from '../migrations/catalog.ts';
import type { CqlType, TableDef } from '../schema/table.ts';

/**
 * The largest partition of each table, measured on the stored rows (`agentstore partitions`, run
 * by `make validate` after the seed): every table a partition bound is claimed for
 * (docs/data-model.md) is scanned once, its rows counted per partition key, and each row's
 * payload summed: the bytes of its values as CQL encodes them (text as UTF-8, int and date 4,
 * timestamp and double 8), without the storage engine's per-cell overhead or compression. ScyllaDB
 * warns at 100,000 rows or 1 GB per partition (compaction_rows_count_warning_threshold,
 * compaction_large_partition_warning_threshold_mb; docs/data-model.md): these are the figures to
 * hold against those. A full scan, so a tool for a validation or a maintenance window, never a
 * served query.
 */

interface LargestPartition {
  /** The partition key's values, in key order. */
  key: unknown[];
  rows: number;
  bytes: number;
}

export interface TablePartitions {
  table: string;
  partitions: number;
  rows: number;
  /** The partition with the most rows, and the one with the most bytes (often the same). */
  mostRows: LargestPartition | null;
  mostBytes: LargestPartition | null;
}

const FIXED: Record<Exclude<CqlType, 'text' | 'blob'>, number> = { int: 4, date: 4, timestamp: 8, double: 8 };

function rowBytes(table: TableDef, row: Row): number {
  let n = 0;
  for (const [column, type] of Object.entries(table.columns)) {
    const v = row[column];
    if (v === null || v === undefined) continue;
    n += type === 'text' ? Buffer.byteLength(String(v)) : type === 'blob' ? (v as Buffer).length : FIXED[type];
  }
  return n;
}

/** Scans each current table of `keyspace` and reports its partitions; `onTable` hears of each as it finishes. */
export async function measurePartitions(
  exec: CqlExecutor,
  keyspace: string,
  onTable?: (t: TablePartitions) => void,
): Promise<TablePartitions[]> {
  const out: TablePartitions[] = [];
  for (const table of currentTables()) {
    const sizes = new Map<string, LargestPartition>();
    const columns = Object.keys(table.columns).join(', ');
    let rows = 0;
    for await (const row of allRows(
      exec,
      { query: `SELECT ${columns} FROM ${keyspace}.${table.name}`, params: [] },
      5000,
    )) {
      const key = table.partitionKey.map((c) => row[c]);
      const id = JSON.stringify(key);
      const p = sizes.get(id) ?? sizes.set(id, { key, rows: 0, bytes: 0 }).get(id)!;
      p.rows++;
      p.bytes += rowBytes(table, row);
      rows++;
    }
    let mostRows: LargestPartition | null = null;
    let mostBytes: LargestPartition | null = null;
    for (const p of sizes.values()) {
      if (!mostRows || p.rows > mostRows.rows) mostRows = p;
      if (!mostBytes || p.bytes > mostBytes.bytes) mostBytes = p;
    }
    const t = { table: table.name, partitions: sizes.size, rows, mostRows, mostBytes };
    onTable?.(t);
    out.push(t);
  }
  return out;
}
