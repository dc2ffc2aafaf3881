import type pg from 'pg';
import type { SessionModel } from '../../seed/generator.ts';
import { insertSessions, type WalUsage } from '../load.ts';

export interface WriteCost {
  rows: number;
  walBytes: number;
  ms: number;
  /** False when every attempt overlapped a checkpoint, so the figure includes full-page images. */
  fpiFree: boolean;
  /** The inserts' own WAL (EXPLAIN (ANALYZE, WAL)): immune to other writers on the shared server. */
  own: WalUsage;
}

async function insertAll(
  pool: pg.Pool,
  models: readonly SessionModel[],
  batchSessions: number,
): Promise<{ walBytes: number; ms: number; own: WalUsage }> {
  const client = await pool.connect();
  const own: WalUsage = { records: 0, fpi: 0, bytes: 0 };
  try {
    const before = (await client.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn as string;
    const t = performance.now();
    for (let i = 0; i < models.length; i += batchSessions)
      await insertSessions(client, models.slice(i, i + batchSessions), own);
    const ms = performance.now() - t;
    const wal = await client.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS b', [before]);
    return { walBytes: Number(wal.rows[0].b), ms, own };
  } finally {
    client.release();
  }
}

/**
 * Inserts a batch of sessions the way the loader does and measures the WAL it generated
 * (pg_wal_lsn_diff of pg_current_wal_lsn() before and after) and its throughput. The first write of
 * a page after a checkpoint logs the whole page, so a figure depends on when the last checkpoint
 * was; to measure the steady state, each attempt inserts the batch once to touch its pages, deletes
 * it, and measures the second insert, and is kept only if that insert logged no full-page image
 * (EXPLAIN's own count: a checkpoint began in between; we cannot force one, CHECKPOINT needs a
 * privilege the study does not assume). The minimum over `repeats` kept attempts is reported (or,
 * if none was clean, the one with the fewest images); the batch is deleted and vacuumed after each insert.
 */
export async function measureInsert(
  pool: pg.Pool,
  models: readonly SessionModel[],
  batchSessions: number,
  repeats: number,
): Promise<WriteCost> {
  const rows = models.reduce((n, m) => n + 1 + m.turns.length + m.steps.length, 0);
  let best: WriteCost | undefined;
  let kept = 0;
  for (let attempt = 0; attempt < repeats * 3 && kept < repeats; attempt++) {
    await insertAll(pool, models, batchSessions);
    await deleteSessions(pool, models);
    const run = await insertAll(pool, models, batchSessions);
    await deleteSessions(pool, models);
    const fpiFree = run.own.fpi === 0;
    if (fpiFree) kept++;
    const cost = { rows, ...run, fpiFree };
    const better =
      !best || cost.own.fpi < best.own.fpi || (cost.own.fpi === best.own.fpi && cost.own.bytes < best.own.bytes);
    const ms = Math.min(cost.ms, best && best.own.fpi === cost.own.fpi ? best.ms : Infinity);
    if (better) best = { ...cost, ms };
    else if (best!.own.fpi === cost.own.fpi) best!.ms = Math.min(best!.ms, cost.ms);
  }
  return best!;
}

async function deleteSessions(pool: pg.Pool, models: readonly SessionModel[]): Promise<void> {
  const sessions = models.map((m) => m.session.sessionId);
  const agent = models.flatMap((m) => m.turns.filter((t) => t.role === 'agent').map((t) => t.turnId));
  const human = models.flatMap((m) => m.turns.filter((t) => t.role === 'human').map((t) => t.turnId));
  // Deleting a turn (or session) makes the foreign keys look for referencing rows by parent_uid (or
  // session_uid). Without an index there that is a scan of the referencing table per deleted row, so
  // the study indexes them for the cleanup only (the configuration under test is measured before).
  const cleanup = [
    'human_turns (parent_uid)',
    'agent_turns (parent_uid)',
    'human_turns (session_uid)',
    'agent_turns (session_uid)',
  ];
  for (const [i, on] of cleanup.entries()) await pool.query(`CREATE INDEX study_cleanup_${i} ON ${on}`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM steps WHERE agent_turn_uid = ANY($1)', [agent]);
    await client.query('DELETE FROM agent_turns WHERE uid = ANY($1)', [agent]);
    await client.query('DELETE FROM human_turns WHERE uid = ANY($1)', [human]);
    await client.query('DELETE FROM sessions WHERE uid = ANY($1)', [sessions]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
    for (const i of cleanup.keys()) await pool.query(`DROP INDEX IF EXISTS study_cleanup_${i}`);
  }
  await pool.query('VACUUM sessions, human_turns, agent_turns, steps');
}

export async function relationBytes(pool: pg.Pool, name: string): Promise<number> {
  return Number((await pool.query('SELECT pg_relation_size($1::regclass) AS b', [name])).rows[0].b);
}

/** The table's heap and TOAST, without its indexes. */
export async function tableBytes(pool: pg.Pool, name: string): Promise<number> {
  return Number((await pool.query('SELECT pg_table_size($1::regclass) AS b', [name])).rows[0].b);
}
