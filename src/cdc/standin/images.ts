import type { CqlExecutor, Row } from '../../cql/executor.ts';
import { PRIMARY_KEYS } from '../rows.ts';
import type { CdcWrite } from './statements.ts';

/**
 * CDC STAND-IN: pre- and postimages, read from the CQL server around the write, as ScyllaDB does
 * for `preimage: true, postimage: true` (it also reads before the write; like ScyllaDB's images
 * these are not atomic with concurrent writes to the same row, which the stand-in serialises).
 * Values take the connector's JSON encodings: timestamp -> epoch ms, date -> days since epoch.
 */
function encode(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (v === undefined) return null;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v))
    return Math.round(Date.parse(`${v}T00:00:00Z`) / 86_400_000);
  return v;
}

/** A row read over CQL in the connector's JSON encodings (also the images a rebuild from CQL makes). */
export function imageOf(row: Row): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, encode(v)]));
}

export function encodeKey(key: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(key).map(([k, v]) => [k, encode(v)]));
}

/** The row as it is now, or null. For a static-row write: the partition key and its static columns. */
export async function readImage(exec: CqlExecutor, w: CdcWrite): Promise<Record<string, unknown> | null> {
  const pk = PRIMARY_KEYS[w.table];
  const cols = Object.keys(w.key);
  const where = cols.map((c) => `${c} = ?`).join(' AND ');
  if (w.staticRow) {
    const page = await exec.execute(
      `SELECT ${[...pk.partition, 'active_root'].join(', ')} FROM ${w.keyspace}.${w.table} WHERE ${where} LIMIT 1`,
      cols.map((c) => w.key[c]),
    );
    const row = page.rows[0];
    if (!row || row['active_root'] === null || row['active_root'] === undefined) return null;
    // The static row's image: clustering columns are null, like ScyllaDB's log row for a static write.
    return { ...imageOf(row), ...Object.fromEntries(pk.clustering.map((c) => [c, null])) };
  }
  const page = await exec.execute(
    `SELECT * FROM ${w.keyspace}.${w.table} WHERE ${where}`,
    cols.map((c) => w.key[c]),
  );
  return page.rows[0] ? imageOf(page.rows[0]) : null;
}
