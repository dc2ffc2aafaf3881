import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { MAX_RETENTION_DAYS, setAnalyticsRetention } from '../../migrations/retention.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';

export function retentionCommand(): Command {
  return withCqlOptions(new Command('retention'))
    .description(
      'set how long the analytics tables keep rows (a TTL for rows written from now on; docs/lifecycle.md says which tables and why not the others)',
    )
    .requiredOption('--analytics-days <n>', `days an analytics row lives, 0 = forever (at most ${MAX_RETENTION_DAYS})`)
    .action(async (opts: CqlFlags & { analyticsDays: string }) => {
      const days = intFlag('--analytics-days', opts.analyticsDays, 0, MAX_RETENTION_DAYS);
      const s = settingsFrom(opts);
      const { exec } = await connectCql(s);
      try {
        await requireSchema(exec, s.keyspace);
        const tables = await setAnalyticsRetention(exec, s.keyspace, days);
        console.log(
          days
            ? `rows written from now on to ${tables.join(', ')} expire after ${days} days`
            : `${tables.join(', ')} keep rows written from now on forever`,
        );
      } finally {
        await exec.close();
      }
    });
}
