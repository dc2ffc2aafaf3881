import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { readSideConfig } from '../../config/read-side.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { jsonLogger } from '../../log/log.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { rebuild } from '../../projector/rebuild.ts';
import { rebuildFromCql } from '../../projector/rebuild-from-cql.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';

interface RebuildFlags extends CqlFlags {
  graceSeconds: string;
  fromCql?: boolean;
  ranges: string;
  pageSize: string;
  maxRowsPerSecond: string;
}

export function rebuildCommand(): Command {
  return withCqlOptions(new Command('rebuild'))
    .description(
      'rebuild every Redis read model under a new key prefix, switch to it atomically, drop the old one (same env as `project`): from the earliest CDC offset, or with --from-cql by scanning the CDC tables and resuming from offsets taken before the scan',
    )
    .option(
      '--grace-seconds <n>',
      'wait this long after the switch before dropping the old keys (readers re-read the pointer every second)',
      '5',
    )
    .option(
      '--from-cql',
      'fill the new generation from the CQL tables (token-range scan, WRITETIME as the version) instead of the topics; resumes after a crash',
    )
    .option('--ranges <n>', 'with --from-cql: token-ring slices per table (the unit a rerun resumes at)', '64')
    .option('--page-size <n>', 'with --from-cql: rows per CQL page', '1000')
    .option('--max-rows-per-second <n>', 'with --from-cql: read at most this many rows per second (0 = no limit)', '0')
    .action(async (opts: RebuildFlags) => {
      const graceMs = intFlag('--grace-seconds', opts.graceSeconds, 0, 3600) * 1000;
      if (!opts.fromCql) {
        const result = await rebuild(readSideConfig(), jsonLogger({ component: 'rebuild' }), { graceMs });
        console.log(
          `rebuilt read models: generation ${result.from} -> ${result.to} in ${result.seconds.toFixed(1)} s; dropped ${result.droppedKeys} old keys`,
        );
        return;
      }
      const ranges = intFlag('--ranges', opts.ranges, 1, 65_536);
      const pageSize = intFlag('--page-size', opts.pageSize, 1, 100_000);
      const maxRowsPerSecond = intFlag('--max-rows-per-second', opts.maxRowsPerSecond, 0, 10_000_000);
      const s = settingsFrom(opts);
      const config = readSideConfig({ ...process.env, AGENTSTORE_KEYSPACE: s.keyspace });
      const { exec } = await connectCql(s);
      try {
        await requireSchema(exec, s.keyspace);
        const r = await rebuildFromCql(config, exec, jsonLogger({ component: 'rebuild-from-cql' }), {
          ranges,
          pageSize,
          maxRowsPerSecond,
          graceMs,
        });
        console.log(
          `rebuilt read models from CQL${r.resumed ? ' (resumed)' : ''}: generation ${r.from} -> ${r.to}, ${r.rows} rows scanned in ${r.seconds.toFixed(1)} s; dropped ${r.droppedKeys} old keys`,
        );
      } finally {
        await exec.close();
      }
    });
}
