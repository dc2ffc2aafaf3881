import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { UsageError, type CqlFlags } from '../../config/settings.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { connectPg, pgSettings, type PgFlags } from '../../postgres/connect.ts';
import { eraseSessionPg } from '../../postgres/erase.ts';
import { AgentStore } from '../../store/store.ts';
import type { CdcStandinExecutor } from '../../cdc/standin/executor.ts';
import { openStandinIf, settingsFrom, withCqlOptions, withStandinOption } from '../options.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `agentstore erase --session <id>...`: every row of each session, by key, in CQL (and with --pg in
 * the PostgreSQL baseline). The read models follow through CDC; locally --cdc-standin publishes the
 * deletes as the connector would.
 */
export function eraseCommand(): Command {
  return withStandinOption(withCqlOptions(new Command('erase')))
    .description(
      'erase sessions everywhere by key: every CQL table (the read models follow through CDC), and with --pg the PostgreSQL baseline; idempotent',
    )
    .option('--session <id>', 'a session to erase (repeat the flag for more)', collect, [] as string[])
    .option('--pg <url>', 'also erase from this PostgreSQL baseline (its schema: --pg-schema)')
    .option('--pg-schema <name>', 'schema of the PostgreSQL baseline (with --pg)')
    .action(async (opts: CqlFlags & PgFlags & { session: string[]; cdcStandin?: boolean }) => {
      if (!opts.session.length)
        throw new UsageError('--session: give the id of a session to erase (repeat --session for more)');
      const s = settingsFrom(opts);
      const pool = opts.pg ? connectPg(pgSettings(opts)) : undefined;
      const { exec } = await connectCql(s);
      let standin: CdcStandinExecutor | undefined;
      try {
        await requireSchema(exec, s.keyspace);
        standin = await openStandinIf(opts.cdcStandin, exec, s.keyspace);
        const store = new AgentStore(standin ?? exec, s.keyspace);
        for (const id of opts.session) {
          const r = await store.eraseSession(id);
          const rows = Object.values(r.deletes).reduce((a, b) => a + b, 0);
          console.log(
            r.found
              ? `erased session ${id} from ${s.keyspace}: ${r.turns} turns, ${rows} row deletes in ${Object.keys(r.deletes).length} tables`
              : `session ${id}: nothing stored in ${s.keyspace} (already erased?)`,
          );
          if (pool) {
            const p = await eraseSessionPg(pool, id);
            console.log(
              p.found
                ? `erased session ${id} from PostgreSQL: ${p.rows.humanTurns + p.rows.agentTurns} turns, ${p.rows.steps} steps`
                : `session ${id}: nothing stored in PostgreSQL (already erased?)`,
            );
          }
        }
      } finally {
        await standin?.close();
        await exec.close();
        await pool?.end();
      }
    });
}
