import { allRows } from '../cql/executor.ts';
import { dayOf } from '../domain/model.ts';
import { forEachBounded } from '../util/bounded.ts';
import type { Migration } from './migration.ts';

/**
 * Adds a query table and backfills it from `turns`. The backfill is the one full-table scan in
 * agentstore, run once by the migration job, never by a served query; it only upserts, so an
 * interrupted migration resumes by scanning again.
 */
export const agentTurnsByVersion = {
  version: 3,
  name: 'agent turns by version and day',
  steps: [
    {
      createTable: {
        name: 'agent_turns_by_version_day',
        serves: 'E3 agent turns per agent version per day, to compare versions; one partition per version and day',
        columns: {
          agent_version: 'text',
          day: 'date',
          created_at: 'timestamp',
          turn_id: 'text',
          account_id: 'text',
          session_id: 'text',
        },
        partitionKey: ['agent_version', 'day'],
        clustering: [
          { column: 'created_at', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
        ],
      },
    },
  ],
  backfillRevision: 1,
  async backfill({ exec, keyspace, log }) {
    const insert = `INSERT INTO ${keyspace}.agent_turns_by_version_day (agent_version, day, created_at, turn_id, account_id, session_id) VALUES (?, ?, ?, ?, ?, ?)`;
    let copied = 0;
    await forEachBounded(
      allRows(exec, {
        query: `SELECT turn_id, role, agent_version, created_at, account_id, session_id FROM ${keyspace}.turns`,
        params: [],
      }),
      32,
      async (row) => {
        if (row['role'] !== 'agent' || !row['agent_version']) return;
        const createdAt = row['created_at'] as Date;
        await exec.execute(insert, [
          row['agent_version'],
          dayOf(createdAt),
          createdAt,
          row['turn_id'],
          row['account_id'],
          row['session_id'],
        ]);
        copied++;
      },
    );
    log(`backfilled ${copied} agent turns into agent_turns_by_version_day`);
  },
} as const satisfies Migration;
