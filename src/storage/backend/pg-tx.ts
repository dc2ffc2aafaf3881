import type pg from 'pg';

/** Runs `fn` in one transaction on one connection: all of its writes commit, or none. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** A turn of either table, with what the DAG rules need. */
export const TURN_BY_ID = `SELECT uid, session_uid, 'human' AS role, parent_uid FROM human_turns WHERE uid = $1
  UNION ALL SELECT uid, session_uid, 'agent', parent_uid FROM agent_turns WHERE uid = $1`;
