import { Command } from 'commander';
import { intFlag } from '../../config/settings.ts';
import { connectPg, pgSettings, type PgFlags } from '../../postgres/connect.ts';
import { analyzeTables, loadSessions } from '../../postgres/load.ts';
import { migratePg } from '../../postgres/migrate.ts';
import { generateSessions } from '../../seed/generator.ts';
import { datasetFrom, withDatasetOptions, type DatasetFlags } from '../options.ts';
import { withPgOptions } from '../pg-options.ts';

export function pgSeedCommand(): Command {
  return withDatasetOptions(withPgOptions(new Command('pg-seed')))
    .description(
      'load the same deterministic dataset as `seed` into the PostgreSQL baseline (migrates first; re-running it changes nothing)',
    )
    .option('--batch <n>', 'sessions per INSERT transaction', '200')
    .option('--concurrency <n>', 'transactions in flight', '2')
    .action(async (opts: PgFlags & DatasetFlags & { batch: string; concurrency: string }) => {
      const s = pgSettings(opts);
      const config = datasetFrom(opts);
      const batchSessions = intFlag('--batch', opts.batch, 1, 10_000);
      const concurrency = intFlag('--concurrency', opts.concurrency, 1, 32);
      const pool = connectPg(s, concurrency);
      try {
        await migratePg(pool, s.schema);
        const started = performance.now();
        let shown = 0;
        const result = await loadSessions(pool, generateSessions(config), {
          batchSessions,
          concurrency,
          onProgress: (p) => {
            if (process.stderr.isTTY && performance.now() - shown > 500) {
              shown = performance.now();
              process.stderr.write(`\rloading ${p.sessions}/${config.sessions} sessions, ${p.steps} steps`);
            }
          },
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        await analyzeTables(pool);
        const secs = (performance.now() - started) / 1000;
        console.log(
          `loaded ${result.sessions} sessions, ${result.turns} turns, ${result.steps} steps into schema ${s.schema} ` +
            `in ${secs.toFixed(1)} s: ${Math.round(result.steps / secs)} steps/s`,
        );
      } finally {
        await pool.end();
      }
    });
}
