import { INDEXES } from '../indexes.ts';
import type { ReadTiming } from './measure.ts';
import type { SizeResult } from './run.ts';

/** Markdown for docs/index-study.md: every figure comes from the SizeResults of the run. */
export interface StudyMeta {
  command: string;
  startedAt: string;
  postgres: string;
  cpus: number;
  /** 1/5/15-minute load average when the run started: the box is shared, so read latencies carry its noise. */
  load: string;
  iterations: number;
  timeoutMs: number;
  insertSessions: number;
  plansFile: string;
}

const ms = (t: ReadTiming, which: 'p50' | 'p99'): string =>
  t.timedOut ? `> ${t[which]} (timeout)` : t[which].toFixed(2);
const kib = (b: number): string =>
  b >= 10 * 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`;
const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
const speedup = (a: ReadTiming, b: ReadTiming): number => (b.p50 > 0 ? a.p50 / b.p50 : 0);
const fmtX = (x: number, lowerBound: boolean): string =>
  `${lowerBound ? '> ' : ''}${x >= 10 ? x.toFixed(0) : x.toFixed(1)}x`;

function sizeLabel(r: SizeResult): string {
  return `${r.steps.toLocaleString('en-US')} steps`;
}

function readsTable(r: SizeResult): string[] {
  const out = [
    row([
      'query',
      'what',
      'index(es)',
      'p50 ms without',
      'p99 ms without',
      'p50 ms with',
      'p99 ms with',
      'calls',
      'speed-up (p50)',
    ]),
    row(Array(9).fill('---')),
  ];
  for (const c of r.cases) {
    const ix = c.indexes.length ? c.indexes.map((n) => `\`${n}\``).join(', ') : 'primary key';
    const sp = c.indexes.length ? fmtX(speedup(c.without, c.with), c.without.timedOut) : '-';
    out.push(
      row([
        c.id,
        c.title,
        ix,
        ms(c.without, 'p50'),
        ms(c.without, 'p99'),
        ms(c.with, 'p50'),
        ms(c.with, 'p99'),
        `${c.without.n}/${c.with.n}`,
        sp,
      ]),
    );
  }
  return out;
}

function storageTable(r: SizeResult): string[] {
  const heap = new Map(r.tables.map((t) => [t.name, t.bytes]));
  const out = [
    row(['index', 'kind', 'table', 'index size', 'table size', 'index / table', 'build ms']),
    row(Array(7).fill('---')),
  ];
  for (const i of r.indexes) {
    const t = heap.get(i.def.table) ?? 0;
    out.push(
      row([
        `\`${i.def.name}\``,
        i.def.kind,
        i.def.table,
        kib(i.bytes),
        kib(t),
        `${((100 * i.bytes) / t).toFixed(1)}%`,
        i.buildMs.toFixed(0),
      ]),
    );
  }
  const total = r.indexes.filter((i) => INDEXES.some((d) => d.name === i.def.name)).reduce((n, i) => n + i.bytes, 0);
  const tables = r.tables.reduce((n, t) => n + t.bytes, 0);
  out.push(
    row(['**all recommended**', '', 'all 4', kib(total), kib(tables), `${((100 * total) / tables).toFixed(1)}%`, '']),
  );
  return out;
}

function writesTable(r: SizeResult): string[] {
  const base = r.writes.find((w) => w.config === 'primary keys only')!.cost;
  const out = [
    row([
      'indexes present',
      'rows inserted',
      'WAL records / row',
      'records vs PK only',
      'own WAL bytes / row',
      'full-page images in it',
      'server WAL bytes / row (LSN delta)',
      'rows / s',
    ]),
    row(Array(8).fill('---')),
  ];
  for (const w of r.writes) {
    const c = w.cost;
    out.push(
      row([
        w.config,
        c.rows,
        (c.own.records / c.rows).toFixed(2),
        `${((100 * c.own.records) / base.own.records - 100).toFixed(1)}%`,
        (c.own.bytes / c.rows).toFixed(0),
        c.own.fpi,
        (c.walBytes / c.rows).toFixed(0),
        Math.round((c.rows / c.ms) * 1000),
      ]),
    );
  }
  return out;
}

/** Keep an index when a query it serves gets at least 2x faster at the largest size; the write and space costs are quoted next to it. */
function recommendation(r: SizeResult): string[] {
  const base = r.writes.find((w) => w.config === 'primary keys only')!.cost.own.records;
  const all = r.writes.find((w) => w.config === 'all recommended indexes')!.cost;
  const out: string[] = [];
  for (const def of INDEXES) {
    const served = r.cases.filter((c) => c.indexes.includes(def.name));
    const best = served.reduce((m, c) => Math.max(m, speedup(c.without, c.with)), 0);
    const wal = r.writes.find((w) => w.config === def.name)?.cost.own.records ?? base;
    const size = r.indexes.find((i) => i.def.name === def.name)?.bytes ?? 0;
    const verdict = best >= 2 ? '**keep**' : '**optional** (less than 2x at this size)';
    out.push(
      `- \`${def.name}\` (${def.kind}): ${verdict}. Serves ${served.map((c) => `${c.id} ${fmtX(speedup(c.without, c.with), c.without.timedOut)}`).join(', ') || 'no measured case'}; ` +
        `adds ${((100 * wal) / base - 100).toFixed(1)}% WAL records per insert alone, ${kib(size)} on disk. ${def.serves}.`,
    );
  }
  out.push(
    `- All recommended indexes together: ${((100 * all.own.records) / base - 100).toFixed(1)}% more WAL records per inserted row than primary keys only ` +
      `(${(all.own.bytes / all.rows).toFixed(0)} against ${(r.writes.find((w) => w.config === 'primary keys only')!.cost.own.bytes / all.rows).toFixed(0)} bytes per row, full-page images included), ` +
      `and insert throughput ${Math.round((all.rows / all.ms) * 1000)} rows/s against ${Math.round((r.writes.find((w) => w.config === 'primary keys only')!.cost.rows / r.writes.find((w) => w.config === 'primary keys only')!.cost.ms) * 1000)} rows/s.`,
  );
  const brin = r.indexes.find((i) => i.def.name === 'steps_created_brin');
  const btree = r.indexes.find((i) => i.def.name === 'steps_created_btree');
  const t1 = r.cases.find((c) => c.id === 'T1');
  const t1b = r.cases.find((c) => c.id === 'T1b');
  if (brin && btree && t1 && t1b) {
    out.push(
      `- BRIN versus B-tree on steps.created_at: ${kib(brin.bytes)} against ${kib(btree.bytes)}; T1 p50 ${t1.with.p50.toFixed(2)} ms with the BRIN, ` +
        `${t1b.with.p50.toFixed(2)} ms with the B-tree (steps.created_at correlation ${r.stepsCorrelation.toFixed(3)}: BRIN only works while steps are appended in time order).`,
    );
  }
  return out;
}

export function renderReport(meta: StudyMeta, results: SizeResult[]): string {
  const largest = results[results.length - 1]!;
  const out = [
    '# Index study: the PostgreSQL baseline',
    '',
    `<!-- generated by \`${meta.command}\` (src/postgres/index-study/); do not edit by hand: every figure below comes from that run -->`,
    '',
    `Run ${meta.startedAt} on ${meta.postgres}, ${meta.cpus} CPUs (load average ${meta.load} at the start). Each size is a fresh schema with only the primary keys, loaded by the`,
    'same generator as `seed` / `pg-seed`, steps then CLUSTERed in created_at order (as live traffic appends them). Each query is timed',
    `one call at a time after a warm-up call (up to ${meta.iterations} calls, rotating parameters; statement timeout ${meta.timeoutMs} ms) without its`,
    'index(es), then again after CREATE INDEX and ANALYZE, and the index is dropped before the next case. Write cost: a separate batch of',
    `${meta.insertSessions} generated sessions (other seed) inserted by the loader's statements with no secondary index, all recommended indexes, and`,
    'each index alone; WAL is the pg_current_wal_lsn() delta (pg_wal_lsn_diff) of a second insert of the batch (the first touches its pages,',
    'so the figure is the steady state), kept only if that insert logged no full-page image (a checkpoint began in between), minimum of the kept runs;',
    'the batch is deleted and vacuumed after each insert. "Own WAL" is what EXPLAIN (ANALYZE, WAL) reports for the INSERT statements themselves',
    "(this backend only; the server is shared, so the LSN delta also counts other sessions' writes and is shown for reference).",
    'Comparisons use WAL records, which full-page images do not change: without the CHECKPOINT privilege some runs still carry images',
    '(counted in the table), and they dominate the byte figures.',
    `The EXPLAIN (ANALYZE, BUFFERS) plans with and without each index are in [${meta.plansFile}](${meta.plansFile}).`,
    '',
    `## Headline (${sizeLabel(largest)})`,
    '',
    ...recommendation(largest),
  ];
  for (const r of results) {
    out.push(
      '',
      `## ${sizeLabel(r)} (${r.sessions.toLocaleString('en-US')} sessions, ${r.turns.toLocaleString('en-US')} turns)`,
      '',
      `Loaded in ${(r.loadMs / 1000).toFixed(1)} s (${Math.round(r.steps / (r.loadMs / 1000))} steps/s); steps.created_at correlation ${r.stepsCorrelation.toFixed(3)}.`,
      '',
      '### Reads',
      '',
      ...readsTable(r),
      '',
      '### Storage',
      '',
      ...storageTable(r),
      '',
      '### Writes',
      '',
      ...writesTable(r),
    );
  }
  return `${out.join('\n')}\n`;
}

export function renderPlans(meta: StudyMeta, results: SizeResult[]): string {
  const out = ['# Index study: query plans', '', `<!-- generated by \`${meta.command}\` -->`];
  for (const r of results) {
    out.push('', `## ${sizeLabel(r)}`);
    for (const c of r.cases) {
      out.push(
        '',
        `### ${c.id}: ${c.title}`,
        '',
        '```sql',
        c.sql,
        '```',
        '',
        `Without ${c.indexes.length ? c.indexes.join(', ') : '(primary key only)'}:`,
        '',
        '```',
        c.planWithout,
        '```',
      );
      if (c.indexes.length) out.push('', `With ${c.indexes.join(', ')}:`, '', '```', c.planWith, '```');
    }
  }
  return `${out.join('\n')}\n`;
}
