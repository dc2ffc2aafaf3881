import type pg from 'pg';
import type { SessionModel } from '../../seed/generator.ts';
import { insertSessions } from '../load.ts';

/**
 * A sustained mixed workload, the write path's real shape rather than its best case: rounds of new
 * sessions, turn appends to existing conversations (a human turn under a leaf agent turn and an
 * agent turn under it, each parent's `active_child` updated to the new child, steps under the new
 * agent turn) and branch switches (a human turn's `active_child` moved to another regeneration),
 * with a CHECKPOINT before every round, so each round pays the full-page images the first write of
 * a page after a checkpoint logs (full_page_writes is on by default). Measured: WAL from
 * pg_stat_wal (records, full-page images, bytes) and the LSN distance; the HOT share of the
 * updates (pg_stat_user_tables); B-tree leaf pages added (pgstatindex: PostgreSQL 15 counts no
 * page splits, so leaf growth beyond what the rows fill at the old density is the proxy); dead
 * tuples and free space before VACUUM (pgstattuple) and the table sizes around it.
 */
export interface MixedOptions {
  rounds: number;
  sessionsPerRound: number;
  appendsPerRound: number;
  switchesPerRound: number;
  /** Distinct per run on the same data: the new turns' ids start with it. */
  tag: string;
}

export interface MixedResult {
  config: string;
  fullPageWrites: string;
  rounds: number;
  /** CHECKPOINTs issued (0 where the role may not: then only the timer's fall inside the run). */
  checkpoints: number;
  inserted: number;
  updated: number;
  wal: { records: number; fpi: number; bytes: number; lsnBytes: number };
  hot: { table: string; updates: number; hot: number }[];
  /** Null where pgstattuple cannot be installed. */
  leaves: { index: string; before: number; after: number; densityBefore: number; densityAfter: number }[] | null;
  tables: { table: string; deadPct: number | null; freePct: number | null; before: number; after: number }[];
}

const TABLES = ['sessions', 'human_turns', 'agent_turns', 'steps'] as const;
const UPDATED = ['sessions', 'human_turns', 'agent_turns'] as const;

/** This backend's counters reach the shared statistics when it next reports: force that, then read afresh. */
async function flushStats(c: pg.PoolClient): Promise<void> {
  await c.query('SELECT pg_stat_force_next_flush()');
  await c.query('SELECT 1');
  await c.query('SELECT pg_stat_clear_snapshot()');
}

async function walNow(c: pg.PoolClient): Promise<{ records: number; fpi: number; bytes: number; lsn: string }> {
  // The workload runs on this backend: its WAL counters reach pg_stat_wal only when it reports, which
  // otherwise happens at most once a second and was missed by a fast round (all zeros). Force it.
  await flushStats(c);
  const r = await c.query(
    'SELECT wal_records::bigint AS r, wal_fpi::bigint AS f, wal_bytes::bigint AS b, pg_current_wal_lsn() AS lsn FROM pg_stat_wal',
  );
  const w = r.rows[0];
  return { records: Number(w.r), fpi: Number(w.f), bytes: Number(w.b), lsn: w.lsn as string };
}

async function updateCounts(c: pg.PoolClient): Promise<Map<string, { upd: number; hot: number }>> {
  await flushStats(c);
  const r = await c.query(
    'SELECT relname, n_tup_upd::bigint AS u, n_tup_hot_upd::bigint AS h FROM pg_stat_user_tables WHERE schemaname = current_schema()',
  );
  return new Map(
    r.rows.map((x: { relname: string; u: string; h: string }) => [x.relname, { upd: Number(x.u), hot: Number(x.h) }]),
  );
}

async function btreeLeaves(c: pg.PoolClient): Promise<Map<string, { leaves: number; density: number }> | null> {
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pgstattuple');
  } catch {
    return null;
  }
  const r = await c.query(
    `SELECT i.relname AS name, (pgstatindex(i.oid::regclass)).leaf_pages AS leaves, (pgstatindex(i.oid::regclass)).avg_leaf_density AS density
       FROM pg_class i JOIN pg_index x ON x.indexrelid = i.oid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam
      WHERE am.amname = 'btree' AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1) ORDER BY i.relname`,
    [[...TABLES]],
  );
  return new Map(
    r.rows.map((x: { name: string; leaves: string; density: string }) => [
      x.name,
      { leaves: Number(x.leaves), density: Number(x.density) },
    ]),
  );
}

/** Appends a turn pair under `n` leaf agent turns (chosen by a seeded hash, not randomly) and updates both parents. */
async function appendTurns(
  c: pg.PoolClient,
  round: number,
  n: number,
  runTag: string,
): Promise<{ ins: number; upd: number }> {
  const tag = `${runTag}r${round}`;
  const leaves = await c.query(
    `SELECT uid, session_uid FROM agent_turns WHERE active_child IS NULL ORDER BY md5(uid || $1) LIMIT $2`,
    [tag, n],
  );
  const uids = leaves.rows.map((r: { uid: string }) => r.uid);
  const sessions = leaves.rows.map((r: { session_uid: string }) => r.session_uid);
  const human = uids.map((_, i) => `${tag}h${i}`);
  const agent = uids.map((_, i) => `${tag}a${i}`);
  await c.query(
    `INSERT INTO human_turns (uid, session_uid, parent_uid, active_child, prompt, created_at)
       SELECT h, s, p, NULL, 'a follow-up question from the mixed workload', now() FROM unnest($1::text[], $2::text[], $3::text[]) AS t(h, s, p)`,
    [human, sessions, uids],
  );
  const u1 = await c.query(
    `UPDATE agent_turns a SET active_child = t.h FROM unnest($1::text[], $2::text[]) AS t(p, h) WHERE a.uid = t.p`,
    [uids, human],
  );
  await c.query(
    `INSERT INTO agent_turns (uid, session_uid, parent_uid, active_child, agent_version, created_at)
       SELECT a, s, h, NULL, 'atlas-4.0.0', now() FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, s, h)`,
    [agent, sessions, human],
  );
  const u2 = await c.query(
    `UPDATE human_turns h SET active_child = t.a FROM unnest($1::text[], $2::text[]) AS t(h, a) WHERE h.uid = t.h`,
    [human, agent],
  );
  const steps = await c.query(
    `INSERT INTO steps (agent_turn_uid, idx, tpe, content, created_at, duration_ms)
       SELECT a, i, 0, '{"text":"a step of the mixed workload"}', now(), 40 * i FROM unnest($1::text[]) AS a, generate_series(0, 2) AS i`,
    [agent],
  );
  return { ins: 2 * uids.length + (steps.rowCount ?? 0), upd: (u1.rowCount ?? 0) + (u2.rowCount ?? 0) };
}

/** Moves `n` human turns that have another regeneration to it (a branch switch). */
async function switchBranches(c: pg.PoolClient, round: number, n: number, runTag: string): Promise<number> {
  const r = await c.query(
    `WITH pick AS (
       SELECT h.uid, (SELECT a.uid FROM agent_turns a WHERE a.parent_uid = h.uid AND a.uid IS DISTINCT FROM h.active_child ORDER BY a.uid LIMIT 1) AS alt
         FROM human_turns h
        WHERE EXISTS (SELECT 1 FROM agent_turns a WHERE a.parent_uid = h.uid AND a.uid IS DISTINCT FROM h.active_child)
        ORDER BY md5(h.uid || $1) LIMIT $2)
     UPDATE human_turns h SET active_child = pick.alt FROM pick WHERE h.uid = pick.uid`,
    [`${runTag}s${round}`, n],
  );
  return r.rowCount ?? 0;
}

export async function mixedWorkload(
  pool: pg.Pool,
  config: string,
  batches: readonly (readonly SessionModel[])[],
  o: MixedOptions,
): Promise<MixedResult> {
  const c = await pool.connect();
  try {
    const fullPageWrites = String((await c.query('SHOW full_page_writes')).rows[0].full_page_writes);
    const sizes = async () => {
      const out: number[] = [];
      for (const t of TABLES)
        out.push(Number((await c.query('SELECT pg_table_size($1::regclass) AS b', [t])).rows[0].b));
      return out;
    };
    const leavesBefore = await btreeLeaves(c);
    const updBefore = await updateCounts(c);
    const w0 = await walNow(c);
    let checkpoints = 0;
    let inserted = 0;
    let updated = 0;
    for (let round = 0; round < o.rounds; round++) {
      try {
        await c.query('CHECKPOINT');
        checkpoints++;
      } catch (err) {
        if ((err as { code?: string }).code !== '42501') throw err; // not privileged: the timer's checkpoints only
      }
      const models = batches[round] ?? [];
      await insertSessions(c, models); // its own transaction
      await c.query('BEGIN');
      try {
        const a = await appendTurns(c, round, o.appendsPerRound, o.tag);
        const s = await switchBranches(c, round, o.switchesPerRound, o.tag);
        await c.query('COMMIT');
        inserted += models.reduce((k, m) => k + 1 + m.turns.length + m.steps.length, 0) + a.ins;
        updated += a.upd + s;
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      }
    }
    const w1 = await walNow(c);
    const lsnBytes = Number((await c.query('SELECT pg_wal_lsn_diff($1, $2)::bigint AS b', [w1.lsn, w0.lsn])).rows[0].b);
    const updAfter = await updateCounts(c);
    const leavesAfter = await btreeLeaves(c);
    const tables: MixedResult['tables'] = [];
    const before = await sizes();
    for (const [i, t] of TABLES.entries()) {
      let deadPct: number | null = null;
      let freePct: number | null = null;
      if (leavesAfter) {
        const s = (
          await c.query('SELECT dead_tuple_percent AS d, free_percent AS f FROM pgstattuple($1::regclass)', [t])
        ).rows[0];
        deadPct = Number(s.d);
        freePct = Number(s.f);
      }
      tables.push({ table: t, deadPct, freePct, before: before[i]!, after: 0 });
    }
    await c.query(`VACUUM ${TABLES.join(', ')}`);
    (await sizes()).forEach((b, i) => (tables[i]!.after = b));
    return {
      config,
      fullPageWrites,
      rounds: o.rounds,
      checkpoints,
      inserted,
      updated,
      wal: { records: w1.records - w0.records, fpi: w1.fpi - w0.fpi, bytes: w1.bytes - w0.bytes, lsnBytes },
      hot: UPDATED.map((t) => ({
        table: t,
        updates: (updAfter.get(t)?.upd ?? 0) - (updBefore.get(t)?.upd ?? 0),
        hot: (updAfter.get(t)?.hot ?? 0) - (updBefore.get(t)?.hot ?? 0),
      })),
      leaves:
        leavesBefore && leavesAfter
          ? [...leavesAfter.entries()].map(([index, a]) => ({
              index,
              before: leavesBefore.get(index)?.leaves ?? 0,
              after: a.leaves,
              densityBefore: leavesBefore.get(index)?.density ?? 0,
              densityAfter: a.density,
            }))
          : null,
      tables,
    };
  } finally {
    c.release();
  }
}
