import { kib, row } from './markdown.ts';
import type { MixedResult } from './mixed.ts';

const pct = (n: number, d: number): string => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');

/** The HOT share of a table's updates: an update that touches no indexed column and finds room on its page writes no index entry. */
const hotRatio = (h: { updates: number; hot: number }): number | null => (h.updates > 0 ? h.hot / h.updates : null);

/** The sustained mixed workload's tables (mixed.ts): WAL with full-page images, HOT, leaf growth, bloat. */
export function mixedTables(results: readonly MixedResult[] | undefined): string[] {
  if (!results?.length) return ['Not run (`--mixed-rounds 0`).'];
  const first = results[0]!;
  const out = [
    `${first.rounds} rounds, ${first.checkpoints} CHECKPOINTs (one before each round${first.checkpoints < first.rounds ? '; fewer: the role may not CHECKPOINT, so only the timer\u2019s fell inside' : ''}), full_page_writes = ${first.fullPageWrites}.`,
    'Each round: new sessions, turn appends (a human and an agent turn under a leaf agent turn, both parents\u2019 `active_child`',
    'updated, three steps) and branch switches (a human turn\u2019s `active_child` moved to another regeneration). WAL from',
    'pg_stat_wal, server-wide: on the private server only this run writes.',
    '',
    row([
      'indexes present',
      'rows inserted',
      'rows updated',
      'WAL bytes / row changed',
      'WAL records / row changed',
      'full-page images',
      'FPI share of records',
      'LSN distance',
      ...first.hot.map((h) => `HOT ${h.table}`),
    ]),
    row(Array(8 + first.hot.length).fill('---')),
  ];
  for (const m of results) {
    const changed = m.inserted + m.updated;
    out.push(
      row([
        m.config,
        m.inserted,
        m.updated,
        (m.wal.bytes / Math.max(1, changed)).toFixed(0),
        (m.wal.records / Math.max(1, changed)).toFixed(2),
        m.wal.fpi,
        pct(m.wal.fpi, m.wal.records),
        kib(m.wal.lsnBytes),
        ...m.hot.map((h) => {
          const r = hotRatio(h);
          return r === null ? 'no updates' : `${(100 * r).toFixed(1)}% of ${h.updates}`;
        }),
      ]),
    );
  }
  for (const m of results) {
    out.push('', `${m.config}: B-tree leaf pages and table bloat`, '');
    if (m.leaves) {
      out.push(
        row(['B-tree index', 'leaf pages before', 'after', 'added', 'leaf density before', 'after']),
        row(Array(6).fill('---')),
        ...m.leaves.map((l) =>
          row([
            `\`${l.index}\``,
            l.before,
            l.after,
            l.after - l.before,
            `${l.densityBefore.toFixed(1)}%`,
            `${l.densityAfter.toFixed(1)}%`,
          ]),
        ),
        '',
      );
    } else out.push('pgstattuple could not be installed: no leaf-page or dead-tuple figures.', '');
    out.push(
      row(['table', 'dead tuples before VACUUM', 'free space before VACUUM', 'size before VACUUM', 'size after']),
      row(Array(5).fill('---')),
      ...m.tables.map((t) =>
        row([
          t.table,
          t.deadPct === null ? 'n/a' : `${t.deadPct.toFixed(2)}%`,
          t.freePct === null ? 'n/a' : `${t.freePct.toFixed(2)}%`,
          kib(t.before),
          kib(t.after),
        ]),
      ),
    );
  }
  out.push(
    '',
    'Page splits: PostgreSQL 15 counts none, so the leaf pages added are the proxy (a falling density with many pages added',
    'means splits of half-full pages; appends at the right edge of a key fill pages instead). The second configuration runs on the',
    'data the first left (its appends included), so compare its per-row figures, not its totals. VACUUM makes dead space reusable',
    'but returns only empty pages at the end of a table, so the size after it shows what stays allocated.',
  );
  return out;
}
