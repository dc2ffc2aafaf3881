import type { RowWrite, Statement } from '../../cql/executor.ts';
import { isCdcTable, type CdcTable } from '../../migrations/catalog.ts';

/** CDC STAND-IN: a write to a CDC table, as the statement that makes it names it. */
export type CdcWrite = RowWrite & { table: CdcTable };

const WRITE = /^\s*(INSERT|UPDATE|DELETE)\b/i;

/**
 * CDC STAND-IN: which CDC row a statement writes, from the row it carries (src/store/statements.ts
 * builds every write with it); null for reads and for tables without CDC. A write that carries no
 * row throws, rather than being silently missing from the feed.
 */
export function cdcWriteOf(s: Statement): CdcWrite | null {
  if (!s.row) {
    if (WRITE.test(s.query))
      throw new Error(
        `CDC stand-in: a write that does not name its row (build it with src/store/statements.ts): ${s.query}`,
      );
    return null;
  }
  const { table } = s.row;
  return isCdcTable(table) ? { ...s.row, table } : null;
}

/** One lock name per CDC row: writes to the same row are serialised so images and change times agree. */
export const rowId = (w: CdcWrite): string =>
  `${w.keyspace}.${w.table}:${Object.values(w.key)
    .map((v) => (v instanceof Date ? v.getTime() : String(v)))
    .join('\x1f')}${w.staticRow ? ':static' : ''}`;
