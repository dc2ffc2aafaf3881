import type pg from 'pg';
import { generateSessions, type SeedConfig } from '../../seed/generator.ts';
import { dropSchema } from '../connect.ts';
import { createIndexSql, INDEXES, type IndexDef } from '../indexes.ts';
import { analyzeTables, loadSessions } from '../load.ts';
import { migratePg } from '../migrate.ts';
import { schema001 } from '../migrations/001-schema.ts';
import { STUDY_ONLY, studyCases } from './cases.ts';
import {
  explain,
  measureInsert,
  relationBytes,
  tableBytes,
  timeQuery,
  type ReadTiming,
  type TimingOptions,
  type WriteCost,
} from './measure.ts';

interface CaseResult {
  id: string;
  title: string;
  sql: string;
  indexes: string[];
  without: ReadTiming;
  with: ReadTiming;
  planWithout: string;
  planWith: string;
}

export interface SizeResult {
  sessions: number;
  turns: number;
  steps: number;
  loadMs: number;
  /** pg_stats correlation of steps.created_at with the physical order (1 = appended in time order). */
  stepsCorrelation: number;
  tables: { name: string; bytes: number }[];
  indexes: { def: IndexDef; bytes: number; buildMs: number }[];
  cases: CaseResult[];
  writes: { config: string; cost: WriteCost }[];
}

export interface StudyOptions extends TimingOptions {
  insertSessions: number;
  writeRepeats: number;
  log: (line: string) => void;
}

const TABLES = ['sessions', 'human_turns', 'agent_turns', 'steps'] as const;
const ALL_DEFS = [...INDEXES, ...STUDY_ONLY];
const defOf = (name: string): IndexDef =>
  ALL_DEFS.find((d) => d.name === name) ??
  (() => {
    throw new Error(`unknown index ${name}`);
  })();

async function createIndexes(pool: pg.Pool, names: readonly string[]): Promise<number[]> {
  const times: number[] = [];
  for (const name of names) {
    const t = performance.now();
    await pool.query(createIndexSql(defOf(name)));
    times.push(performance.now() - t);
  }
  if (names.length) await pool.query(`ANALYZE ${[...new Set(names.map((n) => defOf(n).table))].join(', ')}`);
  return times;
}

async function dropIndexes(pool: pg.Pool, names: readonly string[]): Promise<void> {
  for (const name of names) await pool.query(`DROP INDEX IF EXISTS ${name}`);
}

/**
 * One data size: a fresh schema with only the primary keys, loaded by the generator; then every
 * case timed without and with its indexes; then all indexes built (sizes, build times); then the
 * write cost of a separate batch with no index, all indexes, and each index alone.
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
  await analyzeTables(pool);
  const corr = await pool.query(
    `SELECT correlation FROM pg_stats WHERE schemaname = $1 AND tablename = 'steps' AND attname = 'created_at'`,
    [schema],
  );
  const tables = [];
  for (const name of TABLES) tables.push({ name, bytes: await tableBytes(pool, name) });

  const cases: CaseResult[] = [];
  for (const c of studyCases(config)) {
    const client = await pool.connect();
    try {
      const without = await timeQuery(client, c.sql, c.params, o);
      const planWithout = await explain(client, c.sql, c.params[0]!, o.timeoutMs);
      await createIndexes(pool, c.indexes);
      const withIx = c.indexes.length ? await timeQuery(client, c.sql, c.params, o) : without;
      const planWith = c.indexes.length ? await explain(client, c.sql, c.params[0]!, o.timeoutMs) : planWithout;
      await dropIndexes(pool, c.indexes);
      cases.push({
        id: c.id,
        title: c.title,
        sql: c.sql,
        indexes: c.indexes,
        without,
        with: withIx,
        planWithout,
        planWith,
      });
      o.log(
        `  ${c.id}: p50 ${without.timedOut ? 'timeout' : without.p50.toFixed(2)} ms -> ${withIx.p50.toFixed(2)} ms`,
      );
    } finally {
      client.release();
    }
  }

  const names = ALL_DEFS.map((d) => d.name);
  const buildMs = await createIndexes(pool, names);
  const indexes = [];
  for (const [i, def] of ALL_DEFS.entries())
    indexes.push({ def, bytes: await relationBytes(pool, def.name), buildMs: buildMs[i]! });
  await dropIndexes(
    pool,
    STUDY_ONLY.map((d) => d.name),
  );

  // A separate batch, from another seed so no id collides with the loaded data.
  const extra = [...generateSessions({ ...config, seed: config.seed + 1, sessions: o.insertSessions })];
  const writes: SizeResult['writes'] = [];
  writes.push({ config: 'all recommended indexes', cost: await measureInsert(pool, extra, 100, o.writeRepeats) });
  await dropIndexes(
    pool,
    INDEXES.map((d) => d.name),
  );
  writes.push({ config: 'primary keys only', cost: await measureInsert(pool, extra, 100, o.writeRepeats) });
  for (const def of INDEXES) {
    await createIndexes(pool, [def.name]);
    writes.push({ config: def.name, cost: await measureInsert(pool, extra, 100, o.writeRepeats) });
    await dropIndexes(pool, [def.name]);
  }
  o.log(`  write cost measured over ${extra.length} sessions x ${writes.length} configurations`);
  return {
    sessions: loaded.sessions,
    turns: loaded.turns,
    steps: loaded.steps,
    loadMs,
    stepsCorrelation: Number(corr.rows[0]?.correlation ?? 0),
    tables,
    indexes,
    cases,
    writes,
  };
}
