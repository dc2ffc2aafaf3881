import type { ChangeEvent } from '../cdc/envelope.ts';
import { PRIMARY_KEYS } from '../cdc/rows.ts';
import { imageOf } from '../cdc/standin/images.ts';
import type { CqlExecutor, Row } from '../cql/executor.ts';
import { tableDef, type CdcTable } from '../migrations/catalog.ts';

/**
 * A CDC table read back as the change events that would recreate it: one insert per row, its after
 * image in the connector's encodings (src/cdc/standin/images.ts), its version the row's newest
 * WRITETIME. ScyllaDB stamps a change with its write timestamp (cdc$time), so that version is the
 * `ts_us` the row's last change event carries: the projector's guard then refuses every event the
 * scan already reflects and applies every later one. A static row (turns_by_session.active_root)
 * is its own event, versioned by its cell's WRITETIME, emitted once per partition.
 *
 * The scan walks the token ring in `ranges` slices (`token(pk) >= lo AND token(pk) < hi`), each
 * paged: a full scan the way ScyllaDB recommends (token ranges; docs "efficient full table scans"),
 * resumable per slice, and the same CQL on Cassandra.
 */
const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** The `ranges` slices of the Murmur3 token ring: [lo, hi), the last one closed at the top. */
export function tokenRanges(ranges: number): { lo: bigint; hi: bigint; last: boolean }[] {
  const span = (MAX - MIN) / BigInt(ranges);
  return Array.from({ length: ranges }, (_, i) => ({
    lo: MIN + span * BigInt(i),
    hi: i === ranges - 1 ? MAX : MIN + span * BigInt(i + 1),
    last: i === ranges - 1,
  }));
}

interface Plan {
  query: (lo: bigint, hi: bigint, last: boolean) => string;
  regular: readonly string[];
  statics: readonly string[];
}

function planOf(keyspace: string, table: CdcTable): Plan {
  const def = tableDef(table);
  const pk = PRIMARY_KEYS[table];
  const keyCols = new Set([...pk.partition, ...pk.clustering]);
  const statics = def.staticColumns ?? [];
  const regular = Object.keys(def.columns).filter((c) => !keyCols.has(c) && !statics.includes(c));
  const written = [...regular, ...statics].map((c) => `WRITETIME(${c}) AS "w_${c}"`);
  const token = `token(${pk.partition.join(', ')})`;
  return {
    regular,
    statics,
    // The bounds are numbers this module computed, so they are written into the text (no Long binding).
    query: (lo, hi, last) =>
      `SELECT ${[...Object.keys(def.columns), ...written].join(', ')} FROM ${keyspace}.${table} WHERE ${token} >= ${lo} AND ${token} ${last ? '<=' : '<'} ${hi}`,
  };
}

const maxWritten = (row: Row, columns: readonly string[]): bigint => {
  let v = 0n;
  for (const c of columns) {
    const w = row[`w_${c}`];
    if (w !== null && w !== undefined && BigInt(String(w)) > v) v = BigInt(String(w));
  }
  return v;
};

function eventOf(
  table: CdcTable,
  image: Record<string, unknown>,
  version: bigint,
  keyCols: readonly string[],
): ChangeEvent {
  return {
    table,
    op: 'c',
    tsUs: version.toString(),
    tsMs: Number(version / 1000n),
    key: Object.fromEntries(keyCols.map((c) => [c, image[c]])),
    before: null,
    after: image,
  };
}

/**
 * The events of one token slice of `table`, page by page (`onPage` gets each page's events; the
 * slice is done when the promise resolves). `previousPartition` carries the static-row state across
 * pages.
 */
export async function scanSlice(
  exec: CqlExecutor,
  keyspace: string,
  table: CdcTable,
  range: { lo: bigint; hi: bigint; last: boolean },
  pageSize: number,
  onPage: (events: ChangeEvent[], rows: number) => Promise<void>,
): Promise<number> {
  const plan = planOf(keyspace, table);
  const pk = PRIMARY_KEYS[table];
  const query = plan.query(range.lo, range.hi, range.last);
  let pageState: string | undefined;
  let lastPartition: string | undefined;
  let rows = 0;
  do {
    const page = await exec.execute(query, [], { fetchSize: pageSize, ...(pageState ? { pageState } : {}) });
    const events: ChangeEvent[] = [];
    for (const row of page.rows) {
      const values = Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith('w_')));
      const image = imageOf(values);
      const partition = JSON.stringify(pk.partition.map((c) => image[c]));
      if (plan.statics.length && partition !== lastPartition) {
        const staticImage = Object.fromEntries([
          ...pk.partition.map((c) => [c, image[c]]),
          ...plan.statics.map((c) => [c, image[c] ?? null]),
          ...pk.clustering.map((c) => [c, null]),
        ]);
        if (plan.statics.some((c) => image[c] !== null && image[c] !== undefined))
          events.push(eventOf(table, staticImage, maxWritten(row, plan.statics), pk.partition));
      }
      lastPartition = partition;
      // A partition holding only its static row reads as one row with null clustering columns.
      if (pk.clustering.some((c) => image[c] === null || image[c] === undefined)) continue;
      events.push(eventOf(table, image, maxWritten(row, plan.regular), [...pk.partition, ...pk.clustering]));
    }
    rows += page.rows.length;
    await onPage(events, page.rows.length);
    pageState = page.pageState;
  } while (pageState);
  return rows;
}
