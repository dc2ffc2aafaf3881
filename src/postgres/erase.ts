import type pg from 'pg';

/**
 * Erasure of one session from the PostgreSQL baseline, by key: the steps of the session's agent
 * turns (primary key (agent_turn_uid, idx)), its turns (session_uid, indexed by migration 2's
 * (session_uid, created_at) indexes), then the session row. One transaction, the turns' mutual
 * parent links checked at commit (they are DEFERRABLE), so the session goes whole or not at all.
 */
const STATEMENTS = [
  'DELETE FROM steps WHERE agent_turn_uid IN (SELECT uid FROM agent_turns WHERE session_uid = $1)',
  'DELETE FROM human_turns WHERE session_uid = $1',
  'DELETE FROM agent_turns WHERE session_uid = $1',
  'DELETE FROM sessions WHERE uid = $1',
] as const;

export interface PgEraseResult {
  sessionId: string;
  found: boolean;
  /** Rows deleted: steps, human turns, agent turns, sessions. */
  rows: { steps: number; humanTurns: number; agentTurns: number; sessions: number };
}

export async function eraseSessionPg(pool: pg.Pool, sessionId: string): Promise<PgEraseResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET CONSTRAINTS ALL DEFERRED');
    const n: number[] = [];
    for (const sql of STATEMENTS) n.push((await client.query(sql, [sessionId])).rowCount ?? 0);
    await client.query('COMMIT');
    const [steps, humanTurns, agentTurns, sessions] = n as [number, number, number, number];
    return { sessionId, found: n.some((x) => x > 0), rows: { steps, humanTurns, agentTurns, sessions } };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
