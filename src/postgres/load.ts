import type pg from 'pg';
import type { SessionModel } from '../seed/generator.ts';
import { ROOT } from '../store/writes.ts';
import { forEachBounded } from '../util/bounded.ts';

/**
 * Loads generated sessions in batches: one transaction per batch, one multi-row INSERT per table
 * built from unnest() over column arrays (a single statement with 9 parameters whatever the batch
 * size, so no parameter limit and no per-row round trip). ON CONFLICT DO NOTHING makes a re-run,
 * or a run resumed after a crash, insert nothing twice. A session's rows are always in one batch,
 * so the deferred parent foreign keys are satisfied at commit. Rewritten steps (the churn mode)
 * are written as the application would: each version in turn, the later ones as updates of the
 * row (ON CONFLICT DO UPDATE), so the last version stands.
 */
export interface PgLoadProgress {
  sessions: number;
  turns: number;
  steps: number;
}

interface Columns {
  sessions: unknown[][];
  human: unknown[][];
  agent: unknown[][];
  /** Step versions by rank: [0] every step's first version, [1] the second versions of rewritten steps, ... */
  steps: unknown[][][];
}

const SQL = {
  sessions: `INSERT INTO sessions (uid, account_uid, title, created_at, active_root)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) ON CONFLICT DO NOTHING`,
  human: `INSERT INTO human_turns (uid, session_uid, parent_uid, active_child, prompt, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) ON CONFLICT DO NOTHING`,
  agent: `INSERT INTO agent_turns (uid, session_uid, parent_uid, active_child, agent_version, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) ON CONFLICT DO NOTHING`,
  steps: `INSERT INTO steps (agent_turn_uid, idx, tpe, content, created_at, duration_ms)
    SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::timestamptz[], $6::int[]) ON CONFLICT DO NOTHING`,
  /** A later version of a step replaces it: what an application's rewrite does. */
  stepVersions: `INSERT INTO steps (agent_turn_uid, idx, tpe, content, created_at, duration_ms)
    SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::timestamptz[], $6::int[])
    ON CONFLICT (agent_turn_uid, idx) DO UPDATE SET tpe = excluded.tpe, content = excluded.content,
      created_at = excluded.created_at, duration_ms = excluded.duration_ms`,
};

function columnsOf(models: readonly SessionModel[]): Columns {
  const cols = (n: number): unknown[][] => Array.from({ length: n }, () => []);
  const c: Columns = { sessions: cols(5), human: cols(6), agent: cols(6), steps: [] };
  const push = (into: unknown[][], row: unknown[]) => row.forEach((v, i) => into[i]!.push(v));
  for (const m of models) {
    const s = m.session;
    push(c.sessions, [s.sessionId, s.accountId, s.title, s.createdAt, m.active.get(ROOT) ?? null]);
    for (const t of m.turns) {
      const active = m.active.get(t.turnId) ?? null;
      if (t.role === 'human') push(c.human, [t.turnId, t.sessionId, t.parentId, active, t.prompt, t.createdAt]);
      else push(c.agent, [t.turnId, t.sessionId, t.parentId, active, t.agentVersion, t.createdAt]);
    }
    const rank = new Map<string, number>();
    for (const st of [...m.superseded, ...m.steps]) {
      const key = `${st.turnId}\x1f${st.idx}`;
      const r = rank.get(key) ?? 0;
      rank.set(key, r + 1);
      push((c.steps[r] ??= cols(6)), [st.turnId, st.idx, st.type, st.content, st.createdAt, st.durationMs]);
    }
  }
  return c;
}

/** WAL written by this backend's statements (EXPLAIN (ANALYZE, WAL)): other sessions' writes do not count. */
export interface WalUsage {
  records: number;
  fpi: number;
  bytes: number;
}

/** Inserts one batch of sessions in one transaction; with `wal`, each INSERT runs under EXPLAIN (ANALYZE, WAL) and adds its usage. */
export async function insertSessions(
  client: pg.PoolClient | pg.Client,
  models: readonly SessionModel[],
  wal?: WalUsage,
): Promise<void> {
  const c = columnsOf(models);
  const run = async (sql: string, params: unknown[][]) => {
    if (!wal) return void (await client.query(sql, params));
    const plan = (await client.query(`EXPLAIN (ANALYZE, WAL, TIMING OFF, FORMAT JSON) ${sql}`, params)).rows[0][
      'QUERY PLAN'
    ][0]['Plan'];
    wal.records += plan['WAL Records'];
    wal.fpi += plan['WAL FPI'];
    wal.bytes += plan['WAL Bytes'];
  };
  await client.query('BEGIN');
  try {
    await run(SQL.sessions, c.sessions);
    await run(SQL.human, c.human);
    await run(SQL.agent, c.agent);
    for (const [r, versions] of c.steps.entries()) await run(r === 0 ? SQL.steps : SQL.stepVersions, versions);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

function* batches(models: Iterable<SessionModel>, size: number): Generator<SessionModel[]> {
  let batch: SessionModel[] = [];
  for (const m of models) {
    batch.push(m);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export interface PgLoadOptions {
  batchSessions: number;
  concurrency: number;
  onProgress?: (p: PgLoadProgress) => void;
}

export async function loadSessions(
  pool: pg.Pool,
  models: Iterable<SessionModel>,
  opts: PgLoadOptions,
): Promise<PgLoadProgress> {
  const progress: PgLoadProgress = { sessions: 0, turns: 0, steps: 0 };
  await forEachBounded(batches(models, opts.batchSessions), opts.concurrency, async (batch) => {
    const client = await pool.connect();
    try {
      await insertSessions(client, batch);
    } finally {
      client.release();
    }
    for (const m of batch) {
      progress.sessions++;
      progress.turns += m.turns.length;
      progress.steps += m.steps.length;
    }
    opts.onProgress?.(progress);
  });
  return progress;
}

/** Fresh statistics after a bulk load: without them the planner guesses row counts and picks nested loops over seq scans. */
export async function analyzeTables(pool: pg.Pool): Promise<void> {
  await pool.query('ANALYZE sessions, human_turns, agent_turns, steps');
}
