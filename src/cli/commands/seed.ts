import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { seed } from '../../seed/seeder.ts';
import type { CdcStandinExecutor } from '../../cdc/standin/executor.ts';
import {
  datasetFrom,
  openStandinIf,
  settingsFrom,
  withCqlOptions,
  withDatasetOptions,
  withStandinOption,
  type DatasetFlags,
} from '../options.ts';

export function seedCommand(): Command {
  return withStandinOption(withDatasetOptions(withCqlOptions(new Command('seed'))))
    .description('write a deterministic synthetic dataset (re-running it changes nothing)')
    .option('--concurrency <n>', 'CQL statements in flight', '64')
    .action(async (opts: CqlFlags & DatasetFlags & { concurrency: string; cdcStandin?: boolean }) => {
      const s = settingsFrom(opts);
      const config = datasetFrom(opts);
      const concurrency = intFlag('--concurrency', opts.concurrency, 1, 1024);
      const { exec } = await connectCql(s);
      let standin: CdcStandinExecutor | undefined;
      try {
        await requireSchema(exec, s.keyspace);
        standin = await openStandinIf(opts.cdcStandin, exec, s.keyspace);
        const bar = new cliProgress.SingleBar(
          {
            format:
              'seeding |{bar}| {percentage}% | {value}/{total} sessions | {steps} steps | {rate} rows/s | ETA {eta_formatted}',
            noTTYOutput: true,
            notTTYSchedule: 5000,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        const started = performance.now();
        bar.start(config.sessions, 0, { steps: 0, rate: 0 });
        const result = await seed(standin ?? exec, s.keyspace, config, {
          concurrency,
          onProgress: (p) => {
            const secs = (performance.now() - started) / 1000;
            bar.update(p.sessions, { steps: p.steps, rate: Math.round(p.statements / Math.max(secs, 0.001)) });
          },
        });
        bar.stop();
        const secs = (performance.now() - started) / 1000;
        console.log(
          `seeded ${result.sessions} sessions, ${result.steps} steps (${result.statements} rows) into ${s.keyspace} ` +
            `in ${secs.toFixed(1)} s: ${Math.round(result.statements / secs)} rows/s, ${Math.round(result.steps / secs)} steps/s`,
        );
        if (standin) console.log(`CDC stand-in published ${standin.published} change events`);
      } finally {
        await standin?.close();
        await exec.close();
      }
    });
}
