import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { ENV, readEnv } from '../../config/env.ts';
import { readSideConfig } from '../../config/read-side.ts';
import { backup } from '../../backup/backup.ts';
import { openStore } from '../../backup/store.ts';
import { progressLine } from '../../backup/throttle.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';

/** A progress line on a terminal every update, elsewhere (a pod's log) at most every 5 s. */
export function progressPrinter(verb: string): (p: Parameters<typeof progressLine>[1], resumed: number) => void {
  const started = performance.now();
  let last = 0;
  return (p, resumed) => {
    const line = progressLine(verb, p, started, resumed);
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
    else if (performance.now() - last > 5000 || p.done === p.total) {
      last = performance.now();
      console.error(line);
    }
  };
}

export function backupCommand(): Command {
  return withCqlOptions(new Command('backup'))
    .description(
      'logical backup of a keyspace over CQL (ScyllaDB or Cassandra): token-range scans with write times and TTLs, gzip parts with sha256, a manifest; a rerun resumes an unfinished one',
    )
    .requiredOption(
      '--to <url>',
      'file:///absolute/dir or s3://bucket/prefix (env AGENTSTORE_S3_ENDPOINT for S3-compatible stores)',
    )
    .option('--ranges <n>', 'token ranges per table: the unit a rerun resumes from', '16')
    .option('--concurrency <n>', 'ranges scanned at once', '4')
    .option('--page-size <n>', 'rows per CQL page', '1000')
    .option('--rate <rows/s>', 'at most this many rows a second (0: unlimited), to spare the live cluster', '0')
    .option('--keep <n>', 'then keep only the newest N finished backups of this keyspace at the location')
    .option(
      '--kafka-offsets',
      "record the CDC topics' and projector groups' Kafka offsets (default: when AGENTSTORE_KAFKA is set)",
    )
    .action(
      async (
        opts: CqlFlags & {
          to: string;
          ranges: string;
          concurrency: string;
          pageSize: string;
          rate: string;
          keep?: string;
          kafkaOffsets?: boolean;
        },
      ) => {
        const s = settingsFrom(opts);
        const ranges = intFlag('--ranges', opts.ranges, 1, 65_536);
        const concurrency = intFlag('--concurrency', opts.concurrency, 1, 256);
        const pageSize = intFlag('--page-size', opts.pageSize, 10, 100_000);
        const rowsPerSecond = intFlag('--rate', opts.rate, 0, 10_000_000);
        const keep = opts.keep === undefined ? undefined : intFlag('--keep', opts.keep, 1, 10_000);
        const kafka = opts.kafkaOffsets || readEnv(process.env, ENV.kafka) ? readSideConfig() : undefined;
        const store = await openStore('--to', opts.to);
        const { exec, dialect, serverVersion } = await connectCql(s);
        try {
          const started = performance.now();
          const result = await backup({
            exec,
            keyspace: s.keyspace,
            dialect,
            serverVersion,
            store,
            ranges,
            concurrency,
            pageSize,
            rowsPerSecond,
            ...(keep ? { keep } : {}),
            ...(kafka ? { kafka } : {}),
            onProgress: progressPrinter('backup'),
            log: (m) => console.log(m),
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          const m = result.manifest;
          const rows = Object.values(m.rows).reduce((a, b) => a + b, 0);
          const bytes = m.parts.reduce((a, p) => a + p.bytes, 0);
          const secs = (performance.now() - started) / 1000;
          console.log(
            `backup ${m.id}: ${rows} rows in ${m.parts.length} parts (${(bytes / 1e6).toFixed(2)} MB gzip), schema version ${m.schema.version}` +
              `${result.resumedParts ? `, ${result.resumedParts} parts resumed` : ''}, ${secs.toFixed(1)} s`,
          );
          for (const id of result.deleted) console.log(`  deleted ${id} (--keep ${keep})`);
        } finally {
          await exec.close();
        }
      },
    );
}
