import type pg from 'pg';
import { generateSessions, type SeedConfig } from '../../seed/generator.ts';
import { dropSchema } from '../connect.ts';
import { createIndexSql, type IndexDef } from '../indexes.ts';
import { analyzeTables, loadSessions } from '../load.ts';
import { migratePg } from '../migrate.ts';
import { schema001 } from '../migrations/001-schema.ts';
import { studyCases } from './cases.ts';
import { ALL_DEFS, CANDIDATES, configsFor } from './configs.ts';
import { measureInsert, relationBytes, tableBytes, type WriteCost } from './measure.ts';
import { measureCase, type ConfigResult, type TimingOptions } from './protocol.ts';
import type { Budget } from './budget.ts';
import { mixedWorkload, type MixedResult } from './mixed.ts';
import { accountSessionCounts, accountStrata, type AccountStratum } from './strata.ts';
import { coldCase, type ColdCell } from './cold.ts';
import { addVariantColumns, columnCosts, type VariantCost } from './variant-costs.ts';

export interface CaseResult {
  id: string;
  title: string;
  sql: string;
  indexes: string[];
  weight: number;
  configs: ConfigResult[];
  /** How many calls the cells got, and why not all of them, if not (budget.ts). */
  budget?: Budget;
}

export interface SizeResult {
  sessions: number;
  turns: number;
  steps: number;
  loadMs: number;
  /** pg_stats correlation of steps.created_at with the physical order (1 = appended in time order). */
  stepsCorrelation: number;
  tables: { name: string; bytes: number }[];
  /** The accounts each account-size stratum was measured on, with their session counts. */
  accountStrata?: AccountStratum[];
  indexes: { def: IndexDef; bytes: number; buildMs: number }[];
  cases: CaseResult[];
  writes: { config: string; cost: WriteCost }[];
  /** The sustained mixed workload (mixed.ts) with the baseline only, then with every candidate. */
  mixed?: MixedResult[];
  /** The schema variants' columns: their table growth and insert cost (variant-costs.ts). */
  variants?: VariantCost[];
  /** The cold-cache pass (cold.ts): absent when it was skipped. */
  cold?: { restarts: number; osCacheDropped: boolean; elapsedMs: number; cases: { id: string; cells: ColdCell[] }[] };
}

export interface StudyOptions extends TimingOptions {
  insertSessions: number;
  writeRepeats: number;
  /** Rounds of the mixed workload (a CHECKPOINT before each); 0 skips it. */
  mixedRounds: number;
  /** First calls per configuration after a restart with emptied caches; 0 (or no `restart`) skips the cold pass. */
  coldRestarts: number;
  restart?: () => Promise<boolean>;
  log: (line: string) => void;
}

const TABLES = ['sessions', 'human_turns', 'agent_turns', 'steps'] as const;
export const BASELINE_WRITES = 'baseline (foreign-key indexes)';
const ALL_WRITES = 'baseline + all candidates';

async function createIndexes(pool: pg.Pool, defs: readonly IndexDef[]): Promise<number[]> {
  const times: number[] = [];
  for (const def of defs) {
    const t = performance.now();
    await pool.query(createIndexSql(def));
    times.push(performance.now() - t);
  }
  if (defs.length) await pool.query(`ANALYZE ${[...new Set(defs.map((d) => d.table))].join(', ')}`);
  return times;
}

async function dropIndexes(pool: pg.Pool, defs: readonly IndexDef[]): Promise<void> {
  for (const def of defs) await pool.query(`DROP INDEX IF EXISTS ${def.name}`);
}

/**
 * One data size: a fresh schema loaded by the generator, the baseline and every candidate index
 * built; each case timed in its configurations (protocol.ts), the candidates hidden per
 * connection; then the write cost of a separate batch with the baseline, each candidate alone on
 * top of it, and all of them.
 */
export async function runSize(pool: pg.Pool, schema: string, config: SeedConfig, o: StudyOptions): Promise<SizeResult> {
  await dropSchema(pool, schema);
  await migratePg(pool, schema, [schema001]);
  const t0 = performance.now();
  const loaded = await loadSessions(pool, generateSessions(config), { batchSessions: 500, concurrency: 2 });
  const loadMs = performance.now() - t0;
  o.log(`  loaded ${loaded.sessions} sessions, ${loaded.steps} steps in ${(loadMs / 1000).toFixed(1)} s`);
  // Live traffic appends steps in time order; the seeder writes session by session. CLUSTER restores
  // the physical order production would have, which is what a BRIN index relies on.
  await pool.query('CREATE INDEX steps_study_order ON steps (created_at)');
  await pool.query('CLUSTER steps USING steps_study_order');
  await pool.query('DROP INDEX steps_study_order');
  const variantSizes = await addVariantColumns(pool);
  await analyzeTables(pool);
  const corr = await pool.query(
    `SELECT correlation FROM pg_stats WHERE schemaname = $1 AND tablename = 'steps' AND attname = 'created_at'`,
    [schema],
  );
  const tables = [];
  for (const name of TABLES) tables.push({ name, bytes: await tableBytes(pool, name) });
  const buildMs = await createIndexes(pool, ALL_DEFS);
  const indexes = [];
  for (const [i, def] of ALL_DEFS.entries())
    indexes.push({ def, bytes: await relationBytes(pool, def.name), buildMs: buildMs[i]! });

  const strata = accountStrata(await accountSessionCounts(pool));
  o.log(
    `  account strata: ${strata.map((s) => `${s.stratum} ${s.accounts.map((a) => a.sessions).join('/')} sessions`).join(', ')}`,
  );
  const cases: CaseResult[] = [];
  const studied = studyCases(config, strata);
  for (const [n, c] of studied.entries()) {
    const { configs, budget } = await measureCase(pool, c, configsFor(c.indexes), o, 1000 + n);
    cases.push({ id: c.id, title: c.title, sql: c.sql, indexes: c.indexes, weight: c.weight, configs, budget });
    o.log(
      `  ${c.id}: ${configs.length} configurations, ${budget.minCalls}-${budget.maxCalls} calls per cell, ${(budget.elapsedMs / 1000).toFixed(1)} s${budget.shortfall ? ' (short: the ceiling)' : ''}`,
    );
  }

  // Before any write, so the cold pass reads the very data the warm one did.
  let cold: SizeResult['cold'];
  if (o.restart && o.coldRestarts > 0) {
    const t = performance.now();
    cold = { restarts: o.coldRestarts, osCacheDropped: true, elapsedMs: 0, cases: [] };
    const co = { restarts: o.coldRestarts, timeoutMs: o.timeoutMs, restart: o.restart };
    for (const [n, c] of studied.entries()) {
      const r = await coldCase(pool, c, configsFor(c.indexes), co, 2000 + n);
      cold.cases.push({ id: c.id, cells: r.cells });
      cold.osCacheDropped &&= r.osCacheDropped;
    }
    cold.elapsedMs = performance.now() - t;
    o.log(`  cold pass: ${o.coldRestarts} restart(s) per configuration, ${(cold.elapsedMs / 1000).toFixed(0)} s`);
  }

  // A separate batch, from another seed so no id collides with the loaded data.
  const extra = [...generateSessions({ ...config, seed: config.seed + 1, sessions: o.insertSessions })];
  const writes: SizeResult['writes'] = [];
  writes.push({ config: ALL_WRITES, cost: await measureInsert(pool, extra, 100, o.writeRepeats) });
  await dropIndexes(pool, CANDIDATES);
  writes.push({ config: BASELINE_WRITES, cost: await measureInsert(pool, extra, 100, o.writeRepeats) });
  for (const def of CANDIDATES) {
    await createIndexes(pool, [def]);
    writes.push({ config: def.name, cost: await measureInsert(pool, extra, 100, o.writeRepeats) });
    await dropIndexes(pool, [def]);
  }
  o.log(`  write cost measured over ${extra.length} sessions x ${writes.length} configurations`);

  // Only the baseline's indexes are left now. Each run inserts sessions of its own seeds, so none collides.
  const mixed: MixedResult[] = [];
  const mix = {
    rounds: o.mixedRounds,
    sessionsPerRound: 50,
    appendsPerRound: 200,
    switchesPerRound: 100,
    seed: config.seed,
  };
  const batches = (k: number) =>
    Array.from({ length: mix.rounds }, (_, r) => [
      ...generateSessions({ ...config, seed: config.seed + 2 + k * 1000 + r, sessions: mix.sessionsPerRound }),
    ]);
  if (mix.rounds > 0) {
    mixed.push(await mixedWorkload(pool, BASELINE_WRITES, batches(0), { ...mix, tag: 'mixb' }));
    await createIndexes(pool, CANDIDATES);
    mixed.push(await mixedWorkload(pool, ALL_WRITES, batches(1), { ...mix, tag: 'mixa' }));
    o.log(`  mixed workload: ${mix.rounds} rounds x ${mixed.length} configurations`);
  }
  await dropIndexes(pool, CANDIDATES);
  const variants = await columnCosts(pool, extra, variantSizes, o.writeRepeats);
  return {
    sessions: loaded.sessions,
    turns: loaded.turns,
    steps: loaded.steps,
    loadMs,
    stepsCorrelation: Number(corr.rows[0]?.correlation ?? 0),
    tables,
    accountStrata: strata,
    indexes,
    cases,
    writes,
    mixed,
    variants,
    ...(cold ? { cold } : {}),
  };
}
