import { comparisons, latencies, type Comparison } from './analysis.ts';
import { est, row, x } from './markdown.ts';
import type { CaseResult, SizeResult } from './run.ts';

/** One case's latency table (per configuration, and per account-size stratum where it has several) and its comparisons. */
export function caseTables(c: CaseResult): string[] {
  const strata = Object.keys(c.configs[0]?.samples ?? {});
  const split = strata.length > 1;
  const out = [
    `#### ${c.id}: ${c.title} (${c.weight} calls per 1,000 requests)`,
    '',
    row([
      'configuration',
      ...(split ? ['accounts'] : []),
      'calls',
      'p50 ms [95% CI]',
      'p95 ms [95% CI]',
      'p99 ms [95% CI]',
      'timeouts',
    ]),
    row(Array(split ? 7 : 6).fill('---')),
  ];
  for (const r of c.configs) {
    for (const s of split ? strata : [undefined]) {
      const [p50, p95, p99] = latencies(r, s);
      const n = s === undefined ? Object.values(r.samples).reduce((k, xs) => k + xs.length, 0) : r.samples[s]!.length;
      // Timeouts are counted per configuration; shown once, on its first row.
      const timeouts = s === undefined || s === strata[0] ? r.timeouts : '';
      // A configuration with another's plan shows that one's calls, and says whose they are.
      const calls = r.sameAs ? `${n} (${r.sameAs})` : n;
      out.push(row([r.config.name, ...(s ? [s] : []), calls, est(p50!), est(p95!), est(p99!), timeouts]));
    }
  }
  if (c.budget?.shortfall) out.push('', `Calls: ${c.budget.shortfall}`);
  const cmp = (m: Comparison) =>
    row([
      `${m.config} vs ${m.ref}`,
      x(m.speedup[0]!),
      ...(split ? [m.byStratum.map((b) => `${b.stratum.replace(' accounts', '')} ${x(b.speedup)}`).join('; ')] : []),
      x(m.speedup[2]!),
      m.planChanged ? 'yes' : 'no',
      m.planDiff,
      m.claimed ? '**speed-up**' : m.planChanged ? 'plan changed, not faster' : 'same plan: not attributable',
    ]);
  out.push(
    '',
    row([
      'comparison',
      'speed-up p50 [95% CI]',
      ...(split ? ['p50 by account size'] : []),
      'speed-up p99 [95% CI]',
      'plan changed',
      'scans lost (-) and gained (+)',
      'claim',
    ]),
    row(Array(split ? 7 : 6).fill('---')),
    ...comparisons(c).map(cmp),
  );
  return out;
}

/** The accounts behind each account-size stratum, with their session counts. */
export function strataLine(r: SizeResult): string[] {
  if (!r.accountStrata?.length) return [];
  const parts = r.accountStrata.map(
    (s) => `${s.stratum}: ${s.accounts.map((a) => `\`${a.account}\` (${a.sessions} sessions)`).join(', ')}`,
  );
  return [`Account strata (by sessions per account in this dataset): ${parts.join('; ')}.`, ''];
}

/** Every case that fell short of the calls per cell, and why: listed once per size, above the tables. */
export function shortfalls(r: SizeResult, iterations: number): string[] {
  // A run recorded before the budget was kept (an old .reports/index-study.json) says nothing either way.
  if (r.cases.some((c) => !c.budget)) return [];
  const short = r.cases.filter((c) => c.budget!.shortfall);
  if (!short.length) return [`Every cell got ${iterations} calls.`, ''];
  return [
    `Cells short of ${iterations} calls: ${short.map((c) => `${c.id} (${c.budget!.minCalls})`).join(', ')}; the reason is under each table.`,
    '',
  ];
}
