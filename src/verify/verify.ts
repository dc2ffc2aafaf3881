import { isDeepStrictEqual } from 'node:util';
import { nearestRank, type KeyQueries } from '../domain/queries.ts';
import { generateSessions, type SeedConfig } from '../seed/generator.ts';
import { QUERY_IDS, QUERY_TITLES, planChecks, type Check, type QueryId } from './checks.ts';
import { GroundTruth } from './ground-truth.ts';

interface QueryReport {
  query: QueryId;
  title: string;
  checks: number;
  rows: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** The first mismatch, shortened, so a failing run says what differed. */
  firstFailure?: { label: string; expected: string; actual: string };
}

export interface VerifyReport {
  passed: boolean;
  queries: QueryReport[];
}

function rowsOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return value === null || value === undefined ? 0 : 1;
}

const shorten = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s.length > 600 ? `${s.slice(0, 600)}...` : s;
};

export interface VerifyOptions {
  samples: number;
  accountSamples: number;
  /** Sessions erased from the store: expected absent (src/verify/ground-truth.ts, Focus.excluded). */
  excluded?: ReadonlySet<string>;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs every key query against the store under test and compares each answer with the ground
 * truth, which is computed from the generator's own model and never from the database.
 */
export async function verify(store: KeyQueries, config: SeedConfig, opts: VerifyOptions): Promise<VerifyReport> {
  const plan = planChecks(config, opts.samples, opts.accountSamples);
  const truth = GroundTruth.build(generateSessions(config), {
    ...plan.focus,
    ...(opts.excluded ? { excluded: opts.excluded } : {}),
  });
  return compareAnswers(plan.checks, truth, store, opts.onProgress);
}

/**
 * Asks each check of `expected` and of `actual` and compares the answers with a deep equality; the
 * timings are `actual`'s. Passes when nothing differs and every key query was checked at least once.
 */
export async function compareAnswers(
  checks: Check[],
  expected: KeyQueries,
  actual: KeyQueries,
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyReport> {
  const byQuery = new Map<
    QueryId,
    { times: number[]; rows: number; failed: number; firstFailure?: QueryReport['firstFailure'] }
  >();
  let done = 0;
  for (const check of checks) {
    const want = await check.run(expected);
    const started = performance.now();
    const got = await check.run(actual);
    const ms = performance.now() - started;
    const entry =
      byQuery.get(check.query) ?? byQuery.set(check.query, { times: [], rows: 0, failed: 0 }).get(check.query)!;
    entry.times.push(ms);
    entry.rows += rowsOf(got);
    if (!isDeepStrictEqual(got, want)) {
      entry.failed++;
      entry.firstFailure ??= { label: check.label, expected: shorten(want), actual: shorten(got) };
    }
    onProgress?.(++done, checks.length);
  }
  const queries = QUERY_IDS.filter((id) => byQuery.has(id)).map((id) => {
    const e = byQuery.get(id)!;
    const times = e.times.sort((a, b) => a - b);
    return {
      query: id,
      title: QUERY_TITLES[id],
      checks: times.length,
      rows: e.rows,
      failed: e.failed,
      p50Ms: nearestRank(times, 50),
      p99Ms: nearestRank(times, 99),
      ...(e.firstFailure ? { firstFailure: e.firstFailure } : {}),
    };
  });
  return { passed: queries.every((q) => q.failed === 0) && queries.length === QUERY_IDS.length, queries };
}

/** How a report names its two sides; the verifier's defaults compare a store with the ground truth. */
export interface ReportWording {
  expected: string;
  actual: string;
  agree: string;
  differ: string;
}

const GROUND_TRUTH: ReportWording = {
  expected: 'expected',
  actual: 'actual',
  agree: 'all key queries match the ground truth',
  differ: 'MISMATCH: some key queries differ from the ground truth',
};

export function formatReport(report: VerifyReport, words: ReportWording = GROUND_TRUTH): string {
  const header = ['query', 'what', 'checks', 'rows', 'result', 'p50 ms', 'p99 ms'];
  const rows = report.queries.map((q) => [
    q.query,
    q.title,
    String(q.checks),
    String(q.rows),
    q.failed ? `FAIL (${q.failed})` : 'pass',
    q.p50Ms.toFixed(2),
    q.p99Ms.toFixed(2),
  ]);
  const missing = QUERY_IDS.filter((id) => !report.queries.some((q) => q.query === id));
  for (const id of missing) rows.push([id, QUERY_TITLES[id], '0', '0', 'FAIL (not checked: no sample)', '-', '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 && i !== 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const q of report.queries.filter((q) => q.firstFailure)) {
    const width = Math.max(words.expected.length, words.actual.length);
    out.push(
      '',
      `${q.query} first mismatch (${q.firstFailure!.label}):`,
      `  ${words.expected.padEnd(width)} ${q.firstFailure!.expected}`,
      `  ${words.actual.padEnd(width)} ${q.firstFailure!.actual}`,
    );
  }
  out.push('', report.passed ? words.agree : words.differ);
  return out.join('\n');
}
