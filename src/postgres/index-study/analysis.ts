import { percentileRatios, percentiles, type Estimate } from '../../util/bootstrap.ts';
import { WRITE_ROWS_PER_1000 } from './cases.ts';
import { ALL, alone, BASE, CANDIDATES, INSTEAD_OF, leaveOneOut } from './configs.ts';
import type { ConfigResult } from './protocol.ts';
import { BASELINE_WRITES, type CaseResult, type SizeResult } from './run.ts';

/**
 * What the measurements support. A speed-up is claimed only where the plan changed and the 95%
 * interval of the p50 ratio lies above 1: a ratio between identical plans is noise or cache order,
 * whatever its size. The keep-or-drop rule weighs what an index saves when the others are there
 * (leave-one-out) by how often each query runs, against what it costs every insert.
 */
const PS = [50, 95, 99] as const;

export interface Comparison {
  /** The configuration without the index, and the one with it. */
  ref: string;
  config: string;
  /** ref / config per percentile: > 1 means the index made the query faster. */
  speedup: Estimate[];
  /** The p50 speed-up within each stratum (account size), where the case has more than one. */
  byStratum: { stratum: string; speedup: Estimate }[];
  planChanged: boolean;
  /** Scans the index's configuration lost (-) and gained (+). */
  planDiff: string;
  claimed: boolean;
}

const pooled = (r: ConfigResult): number[] => Object.values(r.samples).flat();
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);

/** p50/p95/p99 over all the configuration's calls, or over one stratum's. */
export function latencies(r: ConfigResult, stratum?: string): Estimate[] {
  return percentiles(stratum === undefined ? pooled(r) : (r.samples[stratum] ?? []), PS);
}

function find(c: CaseResult, name: string): ConfigResult {
  const r = c.configs.find((x) => x.config.name === name);
  if (!r) throw new Error(`${c.id}: no configuration ${name}`);
  return r;
}

function compare(c: CaseResult, refName: string, name: string): Comparison {
  const ref = find(c, refName);
  const r = find(c, name);
  const strata = Object.keys(r.plans);
  const planChanged = strata.some((s) => r.plans[s]!.shape !== ref.plans[s]!.shape);
  const speedup = percentileRatios(pooled(ref), pooled(r), PS);
  const byStratum =
    strata.length > 1
      ? strata
          .filter((s) => ref.samples[s]?.length && r.samples[s]?.length)
          .map((s) => ({ stratum: s, speedup: percentileRatios(ref.samples[s]!, r.samples[s]!, [50])[0]! }))
      : [];
  // What the plan gained and lost, per population (once when the populations agree).
  const diffs = strata.map((s) => {
    const a = ref.plans[s]!.scans.split('; ');
    const b = r.plans[s]!.scans.split('; ');
    const lost = a.filter((n) => !b.includes(n)).map((n) => `-${n}`);
    const gained = b.filter((n) => !a.includes(n)).map((n) => `+${n}`);
    const d =
      [...lost, ...gained].join('; ') ||
      (ref.plans[s]!.shape === r.plans[s]!.shape ? 'same plan' : 'same scans, other joins or order');
    return { s, d };
  });
  const planDiff =
    new Set(diffs.map((x) => x.d)).size === 1 ? diffs[0]!.d : diffs.map((x) => `${x.s}: ${x.d}`).join(' / ');
  return {
    ref: refName,
    config: name,
    speedup,
    byStratum,
    planChanged,
    planDiff,
    claimed: planChanged && speedup[0]!.lo > 1,
  };
}

export interface Verdict {
  index: string;
  /** Query milliseconds saved per 1,000 requests, over the cases where leave-one-out claims a speed-up. */
  benefitMs: number;
  /** Insert milliseconds added per 1,000 requests (WRITE_ROWS_PER_1000 rows): the index's, plus columnMs. */
  costMs: number;
  /** The part of costMs a schema variant's columns add (variants.ts); 0 for a plain index. */
  columnMs: number;
  claims: { id: string; speedup: Estimate }[];
  keep: boolean;
  /** Set when this index and its alternative both pay for themselves and the other saves more, net: the one kept. */
  outdoneBy?: string;
}

/**
 * The write cost of an index, in time: the baseline's measured insert time per row, scaled by the
 * WAL records the index adds (each is an index insertion the write path performs). WAL records
 * are counted by the server and do not depend on the machine's load; the rows/s of a busy 2-core
 * VM would.
 */
function costMs(r: SizeResult, index: string): number {
  const base = baselineWrites(r);
  const mine = r.writes.find((w) => w.config === index)?.cost;
  if (!mine) return 0;
  return insertMs(base, mine.own.records / base.own.records);
}

const baselineWrites = (r: SizeResult) => r.writes.find((w) => w.config === BASELINE_WRITES)!.cost;

/** WRITE_ROWS_PER_1000 inserts at the baseline's time per row, for the share of the work (`ratio` - 1) a change adds. */
const insertMs = (base: SizeResult['writes'][number]['cost'], ratio: number): number =>
  WRITE_ROWS_PER_1000 * (base.ms / base.rows) * Math.max(0, ratio - 1);

/**
 * A schema variant's columns, in time: the baseline's insert time per row, scaled by the WAL bytes
 * the columns add (they add no records, they widen them). The trigger that fills the copied
 * account and the JSON parse of the generated ones cost CPU this does not see; the report shows
 * the measured rows/s beside it.
 */
export function columnCostMs(r: SizeResult, index: string): number {
  const v = r.variants?.find((x) => x.index === index);
  if (!v) return 0;
  return insertMs(baselineWrites(r), v.withColumns.own.bytes / v.withoutColumns.own.bytes);
}

export function verdicts(r: SizeResult): Verdict[] {
  const all = CANDIDATES.map((d) => {
    const claims: Verdict['claims'] = [];
    let benefitMs = 0;
    for (const c of r.cases.filter((x) => x.indexes.includes(d.name))) {
      const [out, withIt] = leaveOneOut(d.name);
      const cmp = compare(c, out, withIt);
      if (!cmp.claimed) continue;
      claims.push({ id: c.id, speedup: cmp.speedup[0]! });
      benefitMs += c.weight * Math.max(0, mean(pooled(find(c, out))) - mean(pooled(find(c, withIt))));
    }
    const columnMs = columnCostMs(r, d.name);
    const cost = costMs(r, d.name) + columnMs;
    const v: Verdict = {
      index: d.name,
      benefitMs,
      costMs: cost,
      columnMs,
      claims,
      keep: claims.length > 0 && benefitMs > cost,
    };
    return v;
  });
  // An index and its alternative serve the same queries: a schema keeps one of them.
  const net = (v: Verdict) => v.benefitMs - v.costMs;
  for (const [alt, shipped] of Object.entries(INSTEAD_OF)) {
    const a = all.find((v) => v.index === alt)!;
    const s = all.find((v) => v.index === shipped)!;
    if (!a.keep || !s.keep) continue;
    const [lose, win] = net(a) > net(s) ? [s, a] : [a, s];
    lose.keep = false;
    lose.outdoneBy = win.index;
  }
  return all;
}

/** The comparisons a case's table shows: each candidate alone against the baseline, and leave-one-out against all. */
export function comparisons(c: CaseResult): Comparison[] {
  return [
    ...c.indexes.map((ix) => compare(c, BASE, alone(ix))),
    compare(c, BASE, ALL),
    ...c.indexes.map((ix) => compare(c, ...leaveOneOut(ix))),
  ];
}
