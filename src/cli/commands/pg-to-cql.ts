import { Command } from 'commander';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { connectCql } from '../../cql/connect.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { connectPg, pgSettings, type PgFlags } from '../../postgres/connect.ts';
import { backfillPgToCql } from '../../postgres/to-cql.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';
import { withPgOptions } from '../pg-options.ts';

export function pgToCqlCommand(): Command {
  return withPgOptions(withCqlOptions(new Command('pg-to-cql')))
    .description(
      "backfill the PostgreSQL baseline into the CQL tables with the store's row plan (idempotent; check with `verify`)",
    )
    .option('--batch <n>', 'sessions read from PostgreSQL per round', '200')
    .option('--concurrency <n>', 'CQL statements in flight', '64')
    .option('--after <session-uid>', 'resume after this session uid (printed as progress)')
    .action(async (opts: CqlFlags & PgFlags & { batch: string; concurrency: string; after?: string }) => {
      const cql = settingsFrom(opts);
      const pgs = pgSettings(opts);
      const batchSessions = intFlag('--batch', opts.batch, 1, 10_000);
      const concurrency = intFlag('--concurrency', opts.concurrency, 1, 1024);
      const pool = connectPg(pgs, 4);
      const { exec } = await connectCql(cql);
      try {
        await requireSchema(exec, cql.keyspace);
        const started = performance.now();
        const p = await backfillPgToCql(pool, exec, cql.keyspace, {
          batchSessions,
          concurrency,
          ...(opts.after ? { after: opts.after } : {}),
          onProgress: (p) =>
            console.error(`backfilled ${p.sessions} sessions, ${p.steps} steps; resume with --after ${p.lastSession}`),
        });
        const secs = (performance.now() - started) / 1000;
        console.log(
          `backfilled ${p.sessions} sessions, ${p.steps} steps (${p.statements} CQL rows) from ${pgs.schema} into ${cql.keyspace} in ${secs.toFixed(1)} s`,
        );
      } finally {
        await pool.end();
        await exec.close();
      }
    });
}
