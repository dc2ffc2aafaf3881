import { describe, expect, it } from 'vitest';
import { comparisons, verdicts } from '../../src/postgres/index-study/analysis.ts';
import { budgetOutcome, overBudget } from '../../src/postgres/index-study/budget.ts';
import { caseTables, shortfalls } from '../../src/postgres/index-study/report-cases.ts';
import { mixedTables } from '../../src/postgres/index-study/report-mixed.ts';
import type { MixedResult } from '../../src/postgres/index-study/mixed.ts';
import { accountStrata } from '../../src/postgres/index-study/strata.ts';
import { configsFor } from '../../src/postgres/index-study/configs.ts';
import type { ConfigResult } from '../../src/postgres/index-study/protocol.ts';
import type { CaseResult, SizeResult } from '../../src/postgres/index-study/run.ts';

/** n samples around `ms` (a spread, so the bootstrap has something to resample). */
const around = (ms: number, n = 400) =>
  Array.from({ length: n }, (_, i) => ms * (0.9 + (0.2 * ((i * 37) % 100)) / 100));

const SEQ = { shape: 'Seq Scan on steps', scans: 'Seq Scan on steps' };
const IX = (ix: string) => ({ shape: `Index Scan using ${ix} on steps`, scans: `Index Scan using ${ix} on steps` });

/** A case over one candidate: `withIt` is the time and plan of every configuration that has it. */
function oneCase(
  id: string,
  index: string,
  weight: number,
  without: { ms: number; plan: typeof SEQ },
  withIt: { ms: number; plan: typeof SEQ },
): CaseResult {
  const configs: ConfigResult[] = configsFor([index]).map((config) => {
    const has = config.visible.includes(index);
    const m = has ? withIt : without;
    return { config, samples: { all: around(m.ms) }, timeouts: 0, plans: { all: m.plan }, analyzed: '' };
  });
  return { id, title: id, sql: '', indexes: [index], weight, configs };
}

const write = (records: number) => ({
  rows: 1000,
  walBytes: 0,
  ms: 1000,
  fpiFree: true,
  own: { records, fpi: 0, bytes: 0 },
});

function size(cases: CaseResult[], writes: Record<string, number>): SizeResult {
  return {
    sessions: 1,
    turns: 1,
    steps: 1,
    loadMs: 1,
    stepsCorrelation: 1,
    tables: [],
    indexes: [],
    cases,
    writes: Object.entries(writes).map(([config, records]) => ({ config, cost: write(records) })),
  };
}

describe('index study: claims and the keep-or-reject rule', () => {
  it('does not claim a speed-up between identical plans, however large the ratio', () => {
    const c = oneCase('E1', 'steps_classifier_label', 1, { ms: 10, plan: SEQ }, { ms: 2, plan: SEQ });
    const loo = comparisons(c).find((m) => m.config === 'all' && m.ref === 'all -steps_classifier_label')!;
    expect(loo.speedup[0]!.value).toBeCloseTo(5, 0);
    expect(loo.planChanged).toBe(false);
    expect(loo.claimed).toBe(false);
    expect(loo.planDiff).toBe('same plan');
  });

  it('claims it where the plan changed and the interval is above 1, and shows what the plan gained', () => {
    const c = oneCase(
      'G1',
      'steps_classifier_label',
      1,
      { ms: 10, plan: SEQ },
      { ms: 2, plan: IX('steps_classifier_label') },
    );
    const alone = comparisons(c).find((m) => m.config === '+steps_classifier_label')!;
    expect(alone.claimed).toBe(true);
    expect(alone.speedup[0]!.lo).toBeGreaterThan(1);
    expect(alone.planDiff).toBe('-Seq Scan on steps; +Index Scan using steps_classifier_label on steps');
  });

  it('keeps an index whose weighted saving exceeds its insert cost, and rejects one that saves too little or nothing', () => {
    const busy = oneCase(
      'G1',
      'steps_classifier_label',
      100,
      { ms: 10, plan: SEQ },
      { ms: 2, plan: IX('steps_classifier_label') },
    );
    const rare = oneCase(
      'G5',
      'steps_pending_oldest',
      1,
      { ms: 10, plan: SEQ },
      { ms: 2, plan: IX('steps_pending_oldest') },
    );
    const useless = oneCase('T1', 'steps_created_btree', 100, { ms: 10, plan: SEQ }, { ms: 10, plan: SEQ });
    const r = size([busy, rare, useless], {
      'baseline (foreign-key indexes)': 1000,
      steps_classifier_label: 1100,
      steps_pending_oldest: 1100,
      steps_created_btree: 1100,
    });
    const v = new Map(verdicts(r).map((x) => [x.index, x]));
    // 100 calls x ~8 ms saved = ~800 ms per 1,000 requests, against 2000 rows x 1 ms x 10% = 200 ms.
    expect(v.get('steps_classifier_label')).toMatchObject({ keep: true });
    expect(v.get('steps_classifier_label')!.benefitMs).toBeGreaterThan(700);
    expect(v.get('steps_classifier_label')!.costMs).toBeCloseTo(200, 5);
    expect(v.get('steps_pending_oldest')).toMatchObject({ keep: false });
    expect(v.get('steps_pending_oldest')!.claims.map((c) => c.id)).toEqual(['G5']);
    expect(v.get('steps_created_btree')).toMatchObject({ keep: false, claims: [] });
  });

  it('judges an alternative in place of the index it would replace, so neither hides behind the other', () => {
    const [brin, btree] = ['steps_created_brin', 'steps_created_btree'];
    const names = configsFor([brin, btree]).map((k) => k.name);
    expect(names).toEqual(['baseline', `+${brin}`, `+${btree}`, 'all', `all -${brin}`, `all, ${btree} for ${brin}`]);
    const visible = (name: string) => configsFor([brin, btree]).find((k) => k.name === name)!.visible;
    expect(visible('all')).toContain(brin);
    expect(visible('all')).not.toContain(btree);
    expect(visible(`all, ${btree} for ${brin}`)).toContain(btree);
    expect(visible(`all, ${btree} for ${brin}`)).not.toContain(brin);
    // Either index alone turns the scan of T1 into a range scan.
    const configs: ConfigResult[] = configsFor([brin, btree]).map((config) => {
      const ix = [brin, btree].find((n) => config.visible.includes(n));
      const m = ix ? { ms: 2, plan: IX(ix) } : { ms: 10, plan: SEQ };
      return { config, samples: { all: around(m.ms) }, timeouts: 0, plans: { all: m.plan }, analyzed: '' };
    });
    const t1: CaseResult = { id: 'T1', title: 'T1', sql: '', indexes: [brin, btree], weight: 100, configs };
    const v = new Map(
      verdicts(size([t1], { 'baseline (foreign-key indexes)': 1000, [brin]: 1001, [btree]: 1100 })).map((x) => [
        x.index,
        x,
      ]),
    );
    expect(v.get(brin)!.claims.map((c) => c.id)).toEqual(['T1']);
    expect(v.get(btree)!.claims.map((c) => c.id)).toEqual(['T1']);
    // Both pay for themselves; the BRIN saves as much for a tenth of the B-tree's insert cost, so only it is kept.
    expect(v.get(brin)).toMatchObject({ keep: true });
    expect(v.get(brin)!.outdoneBy).toBeUndefined();
    expect(v.get(btree)!.benefitMs).toBeGreaterThan(v.get(btree)!.costMs);
    expect(v.get(btree)).toMatchObject({ keep: false, outdoneBy: brin });
  });
});

describe('index study: account-size strata', () => {
  // 20 accounts with 1..20 sessions each, given out of order.
  const counts = Array.from({ length: 20 }, (_, i) => ({
    account: `a${String(i).padStart(2, '0')}`,
    sessions: 20 - i,
  }));

  it('draws small accounts near the 10th percentile, median ones near the median and the heaviest as large, disjoint', () => {
    const strata = accountStrata(counts);
    expect(strata.map((s) => s.stratum)).toEqual(['small accounts', 'median accounts', 'large accounts']);
    const sessions = Object.fromEntries(strata.map((s) => [s.stratum, s.accounts.map((a) => a.sessions)]));
    expect(sessions['small accounts']).toEqual([2, 3]);
    expect(sessions['median accounts']).toEqual([10, 11]);
    // Heaviest first: its plan is the one the report shows for the stratum.
    expect(sessions['large accounts']).toEqual([20, 19]);
    const all = strata.flatMap((s) => s.accounts.map((a) => a.account));
    expect(new Set(all).size).toBe(all.length);
  });

  it('with fewer accounts than strata need, keeps them disjoint and leaves out the strata that get none', () => {
    const strata = accountStrata(counts.slice(0, 3));
    const all = strata.flatMap((s) => s.accounts.map((a) => a.account));
    expect(new Set(all).size).toBe(3);
    expect(strata.find((s) => s.stratum === 'large accounts')!.accounts.map((a) => a.sessions)).toEqual([20, 19]);
    expect(accountStrata([])).toEqual([]);
    expect(accountStrata([{ account: 'idle', sessions: 0 }])).toEqual([]);
    expect(() => accountStrata(counts, 0)).toThrow(/per must be at least 1/);
  });

  it('reports each stratum in its own rows and gives a p50 speed-up per stratum, where a pooled one would hide it', () => {
    const index = 'sessions_account_recent';
    const configs: ConfigResult[] = configsFor([index]).map((config) => {
      const has = config.visible.includes(index);
      const plan = has ? IX(index) : SEQ;
      return {
        config,
        // The index helps large accounts fivefold and small ones not at all.
        samples: { 'small accounts': around(1), 'large accounts': around(has ? 2 : 10) },
        timeouts: 0,
        plans: { 'small accounts': plan, 'large accounts': plan },
        analyzed: '',
      };
    });
    const c: CaseResult = { id: 'P2', title: 'P2', sql: '', indexes: [index], weight: 1, configs };
    const alone = comparisons(c).find((m) => m.config === `+${index}`)!;
    const by = Object.fromEntries(alone.byStratum.map((b) => [b.stratum, b.speedup.value]));
    expect(by['large accounts']).toBeCloseTo(5, 0);
    expect(by['small accounts']).toBeCloseTo(1, 1);
    const md = caseTables(c).join('\n');
    expect(md).toMatch(/^\| baseline \| small accounts \| 400 \| /m);
    expect(md).toMatch(/^\| baseline \| large accounts \| 400 \| /m);
    expect(md).toMatch(
      /^\| \+sessions_account_recent vs baseline \| [^|]+ \| small 1\.0\d \[[^\]]+\]x; large 5\.\d\d /m,
    );
  });
});

describe('index study: the calls budget', () => {
  it('stops a query only past its ceiling, however slow its calls', () => {
    expect(overBudget(299_999, 300_000)).toBe(false);
    expect(overBudget(300_001, 300_000)).toBe(true);
  });

  it('says nothing when every cell got its calls, and says why and how long the rest would take when not', () => {
    expect(budgetOutcome([500, 500, 500], 500, 90_000, 300_000)).toEqual({
      minCalls: 500,
      maxCalls: 500,
      elapsedMs: 90_000,
    });
    const short = budgetOutcome([120, 125, 121], 500, 300_000, 300_000);
    expect(short.minCalls).toBe(120);
    // 300 s for 120 calls per cell: 500 would take 1250 s.
    expect(short.shortfall).toBe(
      '120-125 calls per cell, not 500: stopped at the 300 s ceiling per query (--budget-ms); 500 per cell would take about 1250 s. The p99 of 120 calls is the 2nd-slowest call.',
    );
    expect(budgetOutcome([37], 500, 40_000, 40_000).shortfall).toMatch(
      /p99 of 37 calls is the slowest call \(the maximum\)/,
    );
  });

  it('lists the short cases once per size, and claims nothing for a run that did not record its budget', () => {
    const full = oneCase('P1', 'human_turns_session', 1, { ms: 1, plan: SEQ }, { ms: 1, plan: SEQ });
    full.budget = budgetOutcome([500, 500], 500, 1000, 300_000);
    const short = oneCase('E1', 'steps_classifier_label', 1, { ms: 10, plan: SEQ }, { ms: 2, plan: SEQ });
    short.budget = budgetOutcome([120, 121], 500, 300_000, 300_000);
    expect(shortfalls(size([full], {}), 500)).toEqual(['Every cell got 500 calls.', '']);
    expect(shortfalls(size([full, short], {}), 500)[0]).toBe(
      'Cells short of 500 calls: E1 (120); the reason is under each table.',
    );
    const old = oneCase('A1', 'human_turns_session', 1, { ms: 1, plan: SEQ }, { ms: 1, plan: SEQ });
    expect(shortfalls(size([full, old], {}), 500)).toEqual([]);
  });

  it('puts the shortfall under the table it concerns', () => {
    const c = oneCase('E1', 'steps_classifier_label', 1, { ms: 10, plan: SEQ }, { ms: 2, plan: SEQ });
    c.budget = budgetOutcome([120, 121], 500, 300_000, 300_000);
    expect(caseTables(c).join('\n')).toMatch(/^Calls: 120-121 calls per cell, not 500: stopped at the 300 s ceiling/m);
  });
});

describe('index study: the sustained mixed workload report', () => {
  const result = (config: string, leaves: MixedResult['leaves']): MixedResult => ({
    config,
    fullPageWrites: 'on',
    rounds: 4,
    checkpoints: 4,
    inserted: 900,
    updated: 100,
    wal: { records: 4000, fpi: 400, bytes: 1_000_000, lsnBytes: 1_100_000 },
    hot: [
      { table: 'sessions', updates: 0, hot: 0 },
      { table: 'human_turns', updates: 80, hot: 20 },
    ],
    leaves,
    tables: [{ table: 'human_turns', deadPct: 7.5, freePct: 12.25, before: 655_360, after: 655_360 }],
  });

  it("gives WAL per row changed with its full-page-image share, and the HOT share of each table's updates", () => {
    const md = mixedTables([result('baseline (foreign-key indexes)', [])]).join('\n');
    expect(md).toMatch(/^4 rounds, 4 CHECKPOINTs \(one before each round\), full_page_writes = on\.$/m);
    // 1,000,000 bytes over 1,000 rows changed; 400 of 4,000 records are full-page images; 20 of 80 updates HOT.
    expect(md).toMatch(
      /^\| baseline \(foreign-key indexes\) \| 900 \| 100 \| 1000 \| 4\.00 \| 400 \| 10\.0% \| 1074 KiB \| no updates \| 25\.0% of 80 \|$/m,
    );
    expect(md).toMatch(/^\| human_turns \| 7\.50% \| 12\.25% \| 640 KiB \| 640 KiB \|$/m);
  });

  it('says what is missing instead of printing zeros: no run, no pgstattuple, fewer checkpoints than rounds', () => {
    expect(mixedTables(undefined)).toEqual(['Not run (`--mixed-rounds 0`).']);
    const md = mixedTables([{ ...result('x', null), checkpoints: 0 }]).join('\n');
    expect(md).toContain('pgstattuple could not be installed: no leaf-page or dead-tuple figures.');
    expect(md).toMatch(/0 CHECKPOINTs \(one before each round; fewer: the role may not CHECKPOINT/);
  });
});
