import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { CqlQueries } from '../../store/queries.ts';
import type { KeyQueries } from '../../domain/queries.ts';
import { RedisQueries } from '../../readmodels/queries.ts';
import { readSideConfig } from '../../config/read-side.ts';
import { redisClient } from '../../clients/redis.ts';
import { formatReport, verify } from '../../verify/verify.ts';
import { datasetFrom, settingsFrom, withCqlOptions, withDatasetOptions, type DatasetFlags } from '../options.ts';
import { writeFileAt } from '../../util/repo.ts';

export function verifyCommand(): Command {
  return withDatasetOptions(withCqlOptions(new Command('verify')))
    .description(
      'run every key query and compare with the ground truth of the seeded dataset (give the flags seed was given)',
    )
    .option('--samples <n>', 'sessions to check (spread evenly over the dataset)', '40')
    .option('--account-samples <n>', 'accounts to check (the most active one is always included)', '6')
    .option('--json <file>', 'also write the report as JSON')
    .option(
      '--read-models',
      'check the Redis read models (RedisQueries; env AGENTSTORE_REDIS, AGENTSTORE_REDIS_PREFIX) instead of the CQL store',
    )
    .action(
      async (
        opts: CqlFlags &
          DatasetFlags & { samples: string; accountSamples: string; json?: string; readModels?: boolean },
      ) => {
        const s = settingsFrom(opts);
        const config = datasetFrom(opts);
        const samples = intFlag('--samples', opts.samples, 1, 10_000);
        const accountSamples = intFlag('--account-samples', opts.accountSamples, 1, 1000);
        const readSide = opts.readModels ? readSideConfig() : undefined;
        const redis = readSide ? redisClient(readSide) : undefined;
        await redis?.connect();
        const { exec } = await connectCql(s);
        try {
          if (!redis) await requireSchema(exec, s.keyspace);
          const store: KeyQueries =
            redis && readSide ? new RedisQueries(redis, readSide.keyPrefix) : new CqlQueries(exec, s.keyspace);
          const report = await verify(store, config, {
            samples,
            accountSamples,
            onProgress: (done, total) => {
              if (process.stderr.isTTY) process.stderr.write(`\rverifying ${done}/${total} checks`);
            },
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          console.log(formatReport(report));
          if (opts.json) await writeFileAt(opts.json, JSON.stringify(report, null, 2));
          if (!report.passed) process.exitCode = 1;
        } finally {
          await redis?.quit();
          await exec.close();
        }
      },
    );
}
