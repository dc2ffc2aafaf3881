import { Command } from 'commander';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { connectCql } from '../../cql/connect.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { comparePgWithCql } from '../../postgres/compare.ts';
import { connectPg, pgSettings, type PgFlags } from '../../postgres/connect.ts';
import { formatReport } from '../../verify/verify.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';
import { withPgOptions } from '../pg-options.ts';
import { writeFileAt } from '../../util/repo.ts';

interface Flags extends CqlFlags, PgFlags {
  samples: string;
  accountSamples: string;
  days: string;
  seed: string;
  json?: string;
}

/** Progress every tenth of the checks when stderr is a file or pipe (a TTY gets one updating line). */
function progressLine(done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\rcompared ${done}/${total} checks${done === total ? '\n' : ''}`);
  else if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0)
    console.error(`compared ${done}/${total} checks`);
}

export function pgCompareCommand(): Command {
  return withPgOptions(withCqlOptions(new Command('pg-compare')))
    .description(
      'dual-run gate: ask every key query of PostgreSQL and of the CQL store on sessions and accounts sampled from PostgreSQL; exit 1 if any answer differs',
    )
    .option('--samples <n>', 'sessions to sample from PostgreSQL (all when it holds fewer)', '40')
    .option('--account-samples <n>', 'accounts to check, the most frequent in the sample first', '6')
    .option('--days <n>', "days the per-day queries cover, ending with each account's (version's) newest day", '7')
    .option('--seed <n>', 'sampling seed: the same seed on unchanged tables checks the same sessions', '1')
    .option('--json <file>', "also write the report (and the sample's size) as JSON")
    .action(async (opts: Flags) => {
      const cql = settingsFrom(opts);
      const pgs = pgSettings(opts);
      const options = {
        samples: intFlag('--samples', opts.samples, 1, 100_000),
        accountSamples: intFlag('--account-samples', opts.accountSamples, 1, 10_000),
        days: intFlag('--days', opts.days, 1, 366),
        seed: intFlag('--seed', opts.seed, 0, 2 ** 31 - 1),
      };
      const pool = connectPg(pgs, 4);
      const { exec } = await connectCql(cql);
      try {
        await requireSchema(exec, cql.keyspace);
        const report = await comparePgWithCql(pool, exec, cql.keyspace, options, {
          onSample: (s) =>
            console.error(
              `sampled ${s.sessions.length} sessions, ${s.accounts.length} accounts, ${s.versions.length} agent versions from ${pgs.schema}`,
            ),
          onCheck: progressLine,
        });
        console.log(
          formatReport(report, {
            expected: 'postgres',
            actual: 'cql',
            agree: `all key queries agree: PostgreSQL ${pgs.schema} and CQL ${cql.keyspace}`,
            differ: `MISMATCH: some key queries differ between PostgreSQL ${pgs.schema} and CQL ${cql.keyspace}`,
          }),
        );
        if (opts.json) {
          const { sample, ...rest } = report;
          await writeFileAt(
            opts.json,
            JSON.stringify(
              {
                ...rest,
                sampled: {
                  sessions: sample.sessions.length,
                  accounts: sample.accounts.length,
                  versions: sample.versions.length,
                },
              },
              null,
              2,
            ),
          );
        }
        if (!report.passed) process.exitCode = 1;
      } finally {
        await pool.end();
        await exec.close();
      }
    });
}
