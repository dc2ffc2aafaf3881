import { describe, expect, it } from 'vitest';
import { comparisons, verdicts } from '../../src/postgres/index-study/analysis.ts';
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
});
