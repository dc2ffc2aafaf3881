import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import * as Q from '../../src/postgres/sql.ts';
import { verdicts } from '../../src/postgres/index-study/analysis.ts';
import { studyCases } from '../../src/postgres/index-study/cases.ts';
import { coldCase } from '../../src/postgres/index-study/cold.ts';
import { CANDIDATES, configsFor } from '../../src/postgres/index-study/configs.ts';
import { coldTable, variantTable } from '../../src/postgres/index-study/report-variants.ts';
import type { CaseResult, SizeResult } from '../../src/postgres/index-study/run.ts';
import { DENORMALISED, GENERATED, ROLLUP, sqlFor, VARIANTS } from '../../src/postgres/index-study/variants.ts';
import type { WriteCost } from '../../src/postgres/index-study/measure.ts';

const DAY = 'agent_turns_account_day';
const LABEL = 'steps_label_score';
const G1 = `SELECT agent_turn_uid, idx, (content::jsonb ->> 'score')::float8 AS score FROM steps
  WHERE tpe = 11 AND (content::jsonb ->> 'label') = $1 AND ((content::jsonb ->> 'score')::float8) >= $2
  ORDER BY ((content::jsonb ->> 'score')::float8) DESC LIMIT 100`;

describe('index study: schema variants', () => {
  it('rewrites a query only in the configurations that see the variant index', () => {
    const c = { id: 'A2', sql: Q.A2_TYPE_DISTRIBUTION };
    expect(sqlFor(c, [])).toBe(Q.A2_TYPE_DISTRIBUTION);
    expect(sqlFor(c, [LABEL])).toBe(Q.A2_TYPE_DISTRIBUTION);
    const mine = sqlFor(c, [DAY]);
    expect(mine).not.toMatch(/FROM sessions/);
    expect(mine).toMatch(/FROM agent_turns a WHERE a\.account_uid = \$1 AND a\.day = ANY\(\$4::date\[\]\)/);
    // Every parameter the original binds is still used, or PostgreSQL could not type it.
    for (const p of ['$1', '$2', '$3', '$4']) expect(mine).toContain(p);
  });

  it('reads label and score from the generated columns, and composes with the denormalised turns', () => {
    expect(sqlFor({ id: 'G1', sql: G1 }, [LABEL])).toBe(`SELECT agent_turn_uid, idx, score AS score FROM steps
  WHERE tpe = 11 AND (label) = $1 AND (score) >= $2
  ORDER BY (score) DESC LIMIT 100`);
    const both = sqlFor({ id: 'E1', sql: Q.E1_TURNS_BY_LABEL }, [DAY, LABEL]);
    expect(both).not.toMatch(/content::jsonb|FROM sessions/);
    expect(both).toMatch(/st\.label = \$5 AND st\.score >= \$6/);
  });

  it('answers A2 from the daily rollup, after the denormalised turns too, with every parameter still bound', () => {
    const c = { id: 'A2', sql: Q.A2_TYPE_DISTRIBUTION };
    const ROLL = ROLLUP.index.name;
    for (const visible of [[ROLL], [ROLL, DAY], [ROLL, DAY, LABEL]]) {
      const mine = sqlFor(c, visible);
      expect(mine).toMatch(/^SELECT tpe, sum\(steps\)::int AS n FROM steps_daily\n/);
      expect(mine).not.toMatch(/FROM (sessions|agent_turns|steps) /);
      for (const p of ['$1', '$2', '$3', '$4']) expect(mine).toContain(p);
    }
    expect(sqlFor({ id: 'A3', sql: Q.A3_LATENCY }, [ROLL])).toBe(Q.A3_LATENCY);
    expect(() => ROLLUP.rewrite(Q.A3_LATENCY)).toThrow(/steps_daily_key: its pattern does not occur/);
  });

  it('fails where its pattern is missing instead of timing the original as the fix', () => {
    expect(() => DENORMALISED.rewrite('SELECT 1')).toThrow(/agent_turns_account_day: its pattern does not occur/);
    expect(() => GENERATED.rewrite('SELECT 1')).toThrow(/steps_label_score/);
  });

  it('makes each variant index a candidate of exactly the cases it rewrites, with its own configurations', () => {
    for (const v of VARIANTS) expect(CANDIDATES.map((d) => d.name)).toContain(v.index.name);
    const cases = studyCases({ seed: 1, accounts: 5, days: 3, endDate: '2026-11-01', sessions: 20 }, []);
    const having = (ix: string) => cases.filter((c) => c.indexes.includes(ix)).map((c) => c.id);
    expect(having(DAY)).toEqual(['A2', 'A3', 'A5', 'A6', 'E1', 'E2']);
    expect(having(LABEL)).toEqual(['E1', 'E2', 'G1']);
    // Each rewrite applies to the real SQL of its cases.
    for (const c of cases) for (const ix of c.indexes.filter((n) => n === DAY || n === LABEL)) sqlFor(c, [ix]);
    // The generated columns are the alternative to the expression index: judged in its place.
    const g1 = configsFor(cases.find((c) => c.id === 'G1')!.indexes).map((k) => k.name);
    expect(g1).toContain(`all, ${LABEL} for steps_classifier_label`);
    expect(g1).toContain('all -steps_classifier_label');
    expect(g1).not.toContain(`all -${LABEL}`);
  });
});

const cost = (bytes: number, ms = 1000): WriteCost => ({
  rows: 1000,
  walBytes: 0,
  ms,
  fpiFree: true,
  own: { records: 1000, fpi: 0, bytes },
});

function withVariant(): SizeResult {
  return {
    sessions: 1,
    turns: 1,
    steps: 1,
    loadMs: 1,
    stepsCorrelation: 1,
    tables: [],
    indexes: [],
    cases: [],
    writes: [{ config: 'baseline (foreign-key indexes)', cost: cost(100_000) }],
    variants: [
      {
        index: LABEL,
        columns: 'label, score',
        table: 'steps',
        bytesBefore: 1000 * 1024,
        bytesAfter: 1100 * 1024,
        withColumns: cost(110_000, 1250),
        withoutColumns: cost(100_000),
      },
    ],
  };
}

describe('index study: what a variant costs', () => {
  it("adds its columns' WAL to the index's insert cost in the rule, and shows it in the report", () => {
    const v = verdicts(withVariant()).find((x) => x.index === LABEL)!;
    // 2000 rows x 1 ms x 10% more WAL bytes.
    expect(v.columnMs).toBeCloseTo(200, 5);
    expect(v.costMs).toBeCloseTo(200, 5);
    expect(verdicts(withVariant()).find((x) => x.index === 'steps_classifier_label')!.columnMs).toBe(0);
    const md = variantTable(withVariant()).join('\n');
    expect(md).toMatch(
      /^\| `steps_label_score` \| label, score \| steps: 1000 KiB → 1100 KiB \(\+10\.0%\) \| 100 → 110 \| 1000 → 800 \| 200\.0 \|$/m,
    );
  });
});

describe('index study: the cold pass', () => {
  it('restarts before every single call, in a fresh order each round, on the heaviest account', async () => {
    const log: string[] = [];
    const client = {
      query: async (sql: string, values?: unknown[]) => {
        if (!/^(BEGIN|ROLLBACK|SET|DROP|EXPLAIN)/.test(sql)) log.push(`run ${String(values?.[0])}`);
        return { rows: [] };
      },
      release: () => {},
    };
    const pool = { connect: async () => client } as unknown as pg.Pool;
    const c = {
      id: 'P2',
      title: 'P2',
      sql: 'SELECT $1',
      indexes: ['sessions_account_recent'],
      weight: 1,
      params: [
        { values: ['small'], stratum: 'small accounts' as const },
        { values: ['big'], stratum: 'large accounts' as const },
      ],
    };
    const configs = configsFor(c.indexes);
    const restart = async () => (log.push('restart'), true);
    const r = await coldCase(pool, c, configs, { restarts: 2, timeoutMs: 1000, restart }, 7);
    expect(log).toEqual(Array.from({ length: 2 * configs.length }, () => ['restart', 'run big']).flat());
    expect(r.osCacheDropped).toBe(true);
    expect(r.cells.map((k) => [k.config, k.stratum, k.firstMs.length])).toEqual(
      configs.map((k) => [k.name, 'large accounts', 2]),
    );
  });

  it('reports each first call beside the warm p50 of the same cell, and says when the OS cache stayed', () => {
    const c: CaseResult = {
      id: 'P1',
      title: 'P1',
      sql: '',
      indexes: [],
      weight: 1,
      configs: [
        {
          config: { name: 'baseline', visible: [] },
          samples: { all: [2, 2, 2] },
          timeouts: 0,
          plans: {},
          analyzed: '',
        },
      ],
    };
    const r = withVariant();
    r.cases = [c];
    r.cold = {
      restarts: 2,
      osCacheDropped: false,
      elapsedMs: 4000,
      cases: [{ id: 'P1', cells: [{ config: 'baseline', stratum: 'all', firstMs: [30, 10], timeouts: 0 }] }],
    };
    const md = coldTable(r).join('\n');
    expect(md).toContain('**not** dropped');
    expect(md).toMatch(/^\| P1 \| baseline \| all \| 10\.0, 30\.0 \| 2\.00 \| 5\.0x \|$/m);
    delete r.cold;
    expect(coldTable(r)[0]).toMatch(/^Not run/);
  });
});
