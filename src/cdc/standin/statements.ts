import { PRIMARY_KEYS } from '../rows.ts';
import { CDC_TABLES, type CdcTable } from '../../migrations/catalog.ts';

/**
 * CDC STAND-IN: which CDC row a CQL write touches. Parses the statement shapes agentstore issues
 * (src/store/writes.ts: INSERT ... VALUES, UPDATE [USING TIMESTAMP ?] SET ... WHERE, DELETE ... WHERE,
 * every value bound with ?). A write to a CDC table in any other shape throws, rather than being
 * silently missing from the feed.
 */
export interface RowWrite {
  keyspace: string;
  table: CdcTable;
  kind: 'insert' | 'update' | 'delete';
  /** Primary key values; for the static row of turns_by_session only the partition key. */
  key: Record<string, unknown>;
  /** true when only the partition key is named: a write of static columns. */
  staticRow: boolean;
  /** USING TIMESTAMP value (microseconds), which ScyllaDB also uses as the change's cdc$time. */
  writeTimeUs?: bigint;
  lwt: boolean;
}

const assignments = (text: string, sep: RegExp): string[] =>
  text.split(sep).map((part) => {
    const m = /^\s*(\w+)\s*=\s*\?\s*$/.exec(part);
    if (!m) throw new Error(`CDC stand-in: cannot read "${part.trim()}" (only "column = ?" is supported)`);
    return m[1]!;
  });

export function rowWriteOf(query: string, params: unknown[]): RowWrite | null {
  const q = query.trim().replace(/\s+/g, ' ');
  let m = /^INSERT INTO (\w+)\.(\w+) \(([^)]*)\) VALUES \(([^)]*)\)( IF NOT EXISTS)?$/i.exec(q);
  let keyspace: string,
    table: string,
    kind: RowWrite['kind'],
    named: Record<string, unknown>,
    lwt = false,
    writeTimeUs: bigint | undefined;
  if (m) {
    [keyspace, table] = [m[1]!, m[2]!];
    kind = 'insert';
    lwt = !!m[5];
    const cols = m[3]!.split(',').map((c) => c.trim());
    named = Object.fromEntries(cols.map((c, i) => [c, params[i]]));
  } else if ((m = /^UPDATE (\w+)\.(\w+) (USING TIMESTAMP \? )?SET (.+?) WHERE (.+)$/i.exec(q))) {
    [keyspace, table] = [m[1]!, m[2]!];
    kind = 'update';
    let i = 0;
    if (m[3]) writeTimeUs = BigInt(params[i++] as bigint | number);
    const set = assignments(m[4]!, /,/);
    const where = assignments(m[5]!, / AND /i);
    i += set.length;
    named = Object.fromEntries(where.map((c, j) => [c, params[i + j]]));
  } else if ((m = /^DELETE FROM (\w+)\.(\w+) WHERE (.+)$/i.exec(q))) {
    [keyspace, table] = [m[1]!, m[2]!];
    kind = 'delete';
    named = Object.fromEntries(assignments(m[3]!, / AND /i).map((c, j) => [c, params[j]]));
  } else {
    return null;
  }
  if (!(CDC_TABLES as readonly string[]).includes(table)) return null;
  const t = table as CdcTable;
  const pk = PRIMARY_KEYS[t];
  const key: Record<string, unknown> = {};
  for (const c of pk.partition) {
    if (!(c in named)) throw new Error(`CDC stand-in: ${t} write without partition key column ${c}: ${q}`);
    key[c] = named[c];
  }
  const staticRow = pk.clustering.length > 0 && pk.clustering.every((c) => !(c in named));
  if (!staticRow)
    for (const c of pk.clustering) {
      if (!(c in named))
        throw new Error(
          `CDC stand-in: ${t} write names part of the clustering key (no ${c}): range writes are not CDC-visible`,
        );
      key[c] = named[c];
    }
  return { keyspace, table: t, kind, key, staticRow, lwt, ...(writeTimeUs !== undefined ? { writeTimeUs } : {}) };
}

/** One lock name per CDC row: writes to the same row are serialised so images and change times agree. */
export const rowId = (w: RowWrite): string =>
  `${w.keyspace}.${w.table}:${Object.values(w.key)
    .map((v) => (v instanceof Date ? v.getTime() : String(v)))
    .join('\x1f')}${w.staticRow ? ':static' : ''}`;
