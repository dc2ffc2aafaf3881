import { columnCostMs, latencies } from './analysis.ts';
import { kib, row } from './markdown.ts';
import type { SizeResult } from './run.ts';

/** The schema variants' columns: what they add to the table and to every insert, apart from their index. */
export function variantTable(r: SizeResult): string[] {
  if (!r.variants?.length) return ['Not measured in this run.'];
  const perRow = (bytes: number, rows: number) => (bytes / rows).toFixed(0);
  const out = [
    'Added once at load time, so the table sizes under Storage include them. The insert batch is measured with only the',
    "baseline's indexes, with every variant's columns, then with each variant's dropped in turn.",
    '',
    row([
      'variant (its index)',
      'columns',
      'table before → after',
      'own WAL bytes / row inserted, without → with',
      'rows / s, without → with',
      'insert ms added / 1,000 requests (rule)',
    ]),
    row(Array(6).fill('---')),
  ];
  for (const v of r.variants) {
    const a = v.withoutColumns;
    const b = v.withColumns;
    const growth = v.bytesBefore ? `+${((100 * v.bytesAfter) / v.bytesBefore - 100).toFixed(1)}%` : 'a new table';
    out.push(
      row([
        `\`${v.index}\``,
        v.columns,
        `${v.table}: ${kib(v.bytesBefore)} → ${kib(v.bytesAfter)} (${growth})`,
        `${perRow(a.own.bytes, a.rows)} → ${perRow(b.own.bytes, b.rows)}`,
        `${Math.round((a.rows / a.ms) * 1000)} → ${Math.round((b.rows / b.ms) * 1000)}`,
        columnCostMs(r, v.index).toFixed(1),
      ]),
    );
  }
  return out;
}

/** The cold pass beside the warm p50 of the same configuration and accounts. */
export function coldTable(r: SizeResult): string[] {
  const cold = r.cold;
  if (!cold) return ['Not run (`--cold-restarts 0`, or `--pg`: only the private server can be restarted).'];
  const out = [
    `${cold.restarts} restart(s) per configuration, ${(cold.elapsedMs / 1000).toFixed(0)} s in all; OS page cache ` +
      (cold.osCacheDropped
        ? 'dropped before every restart.'
        : '**not** dropped (no permission): only shared buffers were cold.') +
      ' Each first call is listed; cold / warm divides their median (of two, the faster) by the warm p50.',
    '',
    row(['query', 'configuration', 'accounts', 'cold first calls ms', 'warm p50 ms', 'cold / warm']),
    row(Array(6).fill('---')),
  ];
  for (const k of cold.cases) {
    const c = r.cases.find((x) => x.id === k.id);
    for (const cell of k.cells) {
      const warm = c?.configs.find((x) => x.config.name === cell.config);
      const p50 = warm?.samples[cell.stratum]?.length ? latencies(warm, cell.stratum)[0]!.value : NaN;
      const ms = [...cell.firstMs].sort((a, b) => a - b);
      const median = ms[Math.floor((ms.length - 1) / 2)]!;
      out.push(
        row([
          k.id,
          cell.config,
          cell.stratum,
          ms.map((m) => m.toFixed(1)).join(', ') + (cell.timeouts ? ` (${cell.timeouts} timeouts)` : ''),
          Number.isNaN(p50) ? 'n/a' : p50.toFixed(2),
          Number.isNaN(p50) ? 'n/a' : `${(median / p50).toFixed(1)}x`,
        ]),
      );
    }
  }
  return out;
}
