import { Command } from 'commander';
import { intFlag } from '../../config/settings.ts';
import { connectPg, pgSettings, type PgFlags } from '../../postgres/connect.ts';
import { PgQueries } from '../../postgres/queries.ts';
import { formatReport, verify } from '../../verify/verify.ts';
import { datasetFrom, withDatasetOptions, type DatasetFlags } from '../options.ts';
import { withPgOptions } from '../pg-options.ts';
import { writeFileAt } from '../../util/repo.ts';

export function pgVerifyCommand(): Command {
  return withDatasetOptions(withPgOptions(new Command('pg-verify')))
    .description(
      'run every key query on the PostgreSQL baseline and compare with the ground truth (give the flags pg-seed was given)',
    )
    .option('--samples <n>', 'sessions to check (spread evenly over the dataset)', '40')
    .option('--account-samples <n>', 'accounts to check (the most active one is always included)', '6')
    .option('--json <file>', 'also write the report as JSON')
    .action(async (opts: PgFlags & DatasetFlags & { samples: string; accountSamples: string; json?: string }) => {
      const s = pgSettings(opts);
      const config = datasetFrom(opts);
      const samples = intFlag('--samples', opts.samples, 1, 10_000);
      const accountSamples = intFlag('--account-samples', opts.accountSamples, 1, 1000);
      const pool = connectPg(s, 2);
      try {
        const report = await verify(new PgQueries(pool), config, { samples, accountSamples });
        console.log(formatReport(report));
        if (opts.json) await writeFileAt(opts.json, JSON.stringify(report, null, 2));
        if (!report.passed) process.exitCode = 1;
      } finally {
        await pool.end();
      }
    });
}
