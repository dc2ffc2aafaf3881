import type pg from 'pg';
import { seededRandom } from '../../util/bootstrap.ts';
import { CANDIDATES, type Config } from './configs.ts';
import type { ParamSet, StudyCase } from './cases.ts';
import { budgetOutcome, overBudget, type Budget } from './budget.ts';
import { sqlFor } from './variants.ts';

/**
 * One case timed in every configuration on the same data. All indexes exist; a configuration
 * leaves candidates out by dropping them inside a transaction it rolls back after the call
 * (the planner of that transaction no longer sees them, nothing is removed, and an aborted
 * transaction's catalog changes reach no other backend). In that transaction the query is first
 * EXPLAINed (planning opens every relation and index, so the catalog reload the DROP causes is paid
 * there, at a fraction of an execution's cost) and then executed once, timed. The calls of every
 * cell (configuration x stratum) are interleaved in one shuffled order, so cache warmth, a
 * checkpoint or a busy neighbour lands on all alike. (hypopg_hide_index would do this without
 * DDL, but Debian's hypopg is 1.3, older than the function.)
 *
 * Configurations that run the same plan are timed once: where the SQL and EXPLAIN (COSTS OFF) of
 * every parameter set are alike, the executions are alike, and a difference between their timings
 * could only be noise. Such a configuration shares the calls of the first one with its plans
 * (`sameAs`), so the calls go to the cells that can differ: with 8 to 10 configurations a case
 * often has only two or three plans.
 */
export interface ConfigResult {
  config: Config;
  /** Milliseconds per call, by stratum (ParamSet.stratum). */
  samples: Record<string, number[]>;
  timeouts: number;
  /** Per stratum, the plan of its first parameter set: its shape, and the scans for the report. */
  plans: Record<string, { shape: string; scans: string }>;
  /** EXPLAIN (ANALYZE, BUFFERS) of the first parameter set, for the plans file. */
  analyzed: string;
  /** The SQL this configuration ran, where a schema variant rewrote the case's (variants.ts). */
  sql?: string;
  /** The earlier configuration with the same SQL and plans, whose calls (the same arrays) this one shares. */
  sameAs?: string;
}

export interface TimingOptions {
  /** Calls per cell: per configuration and stratum (at least 500 for a p99 that is not the maximum). */
  iterations: number;
  /** The ceiling per query (budget.ts): only past it does a query stop short of `iterations` per cell. */
  budgetMs: number;
  timeoutMs: number;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const SCANS = /Scan/;

/** The plan's node types and the relations and indexes they use, in plan order: what "the plan changed" compares. */
function shapeOf(node: PlanNode): { shape: string[]; scans: string[] } {
  const here = `${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`;
  const kids = (node.Plans ?? []).map(shapeOf);
  return {
    shape: [here, ...kids.flatMap((k) => k.shape)],
    scans: [...(SCANS.test(node['Node Type']) ? [here] : []), ...kids.flatMap((k) => k.scans)],
  };
}

/** Runs `fn` in a transaction in which the configuration's hidden candidates are dropped, then rolls back. */
export async function inConfig<T>(client: pg.PoolClient, config: Config, fn: () => Promise<T>): Promise<T> {
  const hidden = CANDIDATES.map((d) => d.name).filter((n) => !config.visible.includes(n));
  await client.query('BEGIN');
  try {
    if (hidden.length) await client.query(`DROP INDEX ${hidden.join(', ')}`);
    return await fn();
  } finally {
    await client.query('ROLLBACK');
  }
}

async function plan(client: pg.PoolClient, sql: string, p: ParamSet): Promise<{ shape: string; scans: string }> {
  const r = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, p.values);
  const s = shapeOf((r.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
  return { shape: s.shape.join(' > '), scans: s.scans.join('; ') };
}

async function analyzed(client: pg.PoolClient, sql: string, p: ParamSet, timeoutMs: number): Promise<string> {
  try {
    const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, p.values);
    return r.rows.map((row) => row['QUERY PLAN']).join('\n');
  } catch (err) {
    if ((err as { code?: string }).code === '57014')
      return `(EXPLAIN ANALYZE did not finish within the ${timeoutMs} ms statement timeout)`;
    throw err;
  }
}

/** What identifies a configuration's execution: its SQL and the plan of every parameter set, without estimates. */
async function planKey(client: pg.PoolClient, sql: string, params: readonly ParamSet[]): Promise<string> {
  const plans = [];
  for (const p of params) {
    const r = await client.query(`EXPLAIN (COSTS OFF) ${sql}`, p.values);
    plans.push(r.rows.map((row) => row['QUERY PLAN']).join('\n'));
  }
  return [sql, ...plans].join('\n---\n');
}

/** Rows as a sorted multiset: a rewrite may return them in another order where the query sets none. */
const rowSet = (rows: unknown[]): string =>
  rows
    .map((r) => JSON.stringify(r))
    .sort()
    .join('\n');

/** A schema variant's SQL must answer what the original does, or its speed-up would be a different question's. */
async function sameAnswer(client: pg.PoolClient, c: StudyCase, config: Config, sql: string, p: ParamSet) {
  const [mine, original] = await inConfig(client, config, async () => [
    (await client.query(sql, p.values)).rows,
    (await client.query(c.sql, p.values)).rows,
  ]);
  if (rowSet(mine!) !== rowSet(original!))
    throw new Error(`${c.id} in ${config.name}: the rewritten SQL returns other rows than the original`);
}

export interface CaseTiming {
  configs: ConfigResult[];
  budget: Budget;
}

export async function measureCase(
  pool: pg.Pool,
  c: StudyCase,
  configs: readonly Config[],
  o: TimingOptions,
  seed: number,
): Promise<CaseTiming> {
  const clients = await Promise.all(configs.map(() => pool.connect()));
  try {
    const results: ConfigResult[] = [];
    const strata = [...new Set(c.params.map((p) => p.stratum))];
    const byStratum = strata.map((s) => c.params.filter((p) => p.stratum === s));
    const timedFor = new Map<string, ConfigResult>();
    for (const [i, config] of configs.entries()) {
      const client = clients[i]!;
      await client.query(`SET statement_timeout = ${Math.round(o.timeoutMs)}`);
      const sql = sqlFor(c, config.visible);
      const plans: ConfigResult['plans'] = {};
      for (const [j, s] of strata.entries()) {
        plans[s] = await inConfig(client, config, () => plan(client, sql, byStratum[j]![0]!));
        if (sql !== c.sql) await sameAnswer(client, c, config, sql, byStratum[j]![0]!);
      }
      const key = await inConfig(client, config, () => planKey(client, sql, c.params));
      const first = timedFor.get(key);
      const result: ConfigResult = {
        config,
        samples: first?.samples ?? Object.fromEntries(strata.map((s) => [s, [] as number[]])),
        timeouts: 0,
        plans,
        analyzed: await inConfig(client, config, () => analyzed(client, sql, c.params[0]!, o.timeoutMs)),
        ...(sql !== c.sql ? { sql } : {}),
        ...(first ? { sameAs: first.config.name } : {}),
      };
      if (!first) timedFor.set(key, result);
      results.push(result);
    }
    const timed = results.flatMap((r, i) => (r.sameAs ? [] : [i]));
    // Every (configuration, stratum, call) triple, shuffled: call k of a stratum uses its parameter set k mod n.
    const order = timed.flatMap((i) =>
      strata.flatMap((_, j) => Array.from({ length: o.iterations }, (_, k) => [i, j, k] as const)),
    );
    const random = seededRandom(seed);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const started = performance.now();
    for (const [i, j, k] of order) {
      if (overBudget(performance.now() - started, o.budgetMs)) break;
      const sets = byStratum[j]!;
      const p = sets[k % sets.length]!;
      const r = results[i]!;
      const client = clients[i]!;
      try {
        const sql = r.sql ?? c.sql;
        const ms = await inConfig(client, r.config, async () => {
          await client.query(`EXPLAIN ${sql}`, p.values);
          const t = performance.now();
          await client.query(sql, p.values);
          return performance.now() - t;
        });
        r.samples[p.stratum]!.push(ms);
      } catch (err) {
        if ((err as { code?: string }).code !== '57014') throw err;
        r.timeouts++;
        r.samples[p.stratum]!.push(o.timeoutMs);
      }
    }
    for (const r of results) if (r.sameAs) r.timeouts = results.find((x) => x.config.name === r.sameAs)!.timeouts;
    const calls = timed.flatMap((i) => Object.values(results[i]!.samples).map((x) => x.length));
    return { configs: results, budget: budgetOutcome(calls, o.iterations, performance.now() - started, o.budgetMs) };
  } finally {
    for (const client of clients) client.release();
  }
}
