import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { measurePartitions, type TablePartitions } from '../../store/partitions.ts';
import { writeFileAt } from '../../util/repo.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';
import type { CqlFlags } from '../../config/settings.ts';

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

function line(t: TablePartitions): string {
  const most = t.mostRows
    ? `${t.mostRows.rows} rows (${kib(t.mostRows.bytes)} KiB) ${JSON.stringify(t.mostRows.key)}`
    : '-';
  const big = t.mostBytes ? `${kib(t.mostBytes.bytes)} KiB (${t.mostBytes.rows} rows)` : '-';
  return `${t.table.padEnd(38)} ${String(t.rows).padStart(9)} ${String(t.partitions).padStart(9)}  ${big.padEnd(24)} ${most}`;
}

export function partitionsCommand(): Command {
  return withCqlOptions(new Command('partitions'))
    .description(
      'scan every table of the keyspace and report its largest partition in rows and payload bytes (a full scan: validation or maintenance only)',
    )
    .option('--json <file>', 'also write the figures as JSON')
    .action(async (opts: CqlFlags & { json?: string }) => {
      const s = settingsFrom(opts);
      const { exec } = await connectCql(s);
      try {
        await requireSchema(exec, s.keyspace);
        console.log(
          `${'table'.padEnd(38)} ${'rows'.padStart(9)} ${'parts'.padStart(9)}  ${'most bytes'.padEnd(24)} most rows`,
        );
        const figures = await measurePartitions(exec, s.keyspace, (t) => console.log(line(t)));
        const largest = figures.reduce((a, t) => Math.max(a, t.mostRows?.rows ?? 0), 0);
        const bytes = figures.reduce((a, t) => Math.max(a, t.mostBytes?.bytes ?? 0), 0);
        console.log(`largest partition: ${largest} rows; most bytes: ${kib(bytes)} KiB`);
        if (opts.json) await writeFileAt(opts.json, JSON.stringify(figures, null, 2));
      } finally {
        await exec.close();
      }
    });
}
