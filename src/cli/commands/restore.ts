import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { LATEST_VERSION } from '../../migrations/index.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { restore } from '../../backup/restore.ts';
import { openStore } from '../../backup/store.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';
import { progressPrinter } from './backup.ts';

export function restoreCommand(): Command {
  return withCqlOptions(new Command('restore'))
    .description(
      'restore a backup into --keyspace: migrations to its schema version, rows with their write times and TTLs, resumable, then every range checked against the manifest',
    )
    .requiredOption('--from <url>', 'the --to of the backup: file:///absolute/dir or s3://bucket/prefix')
    .option('--backup <id>', 'which backup there (default: the newest finished one)')
    .option('--force', 'load into a keyspace that already holds rows')
    .option(
      '--accept-schema-version <n>',
      `restore a backup taken at another schema version than this build's (${LATEST_VERSION}): the target stays at that version`,
    )
    .option('--concurrency <n>', 'CQL writes in flight', '32')
    .action(
      async (
        opts: CqlFlags & {
          from: string;
          backup?: string;
          force?: boolean;
          acceptSchemaVersion?: string;
          concurrency: string;
        },
      ) => {
        const s = settingsFrom(opts);
        const concurrency = intFlag('--concurrency', opts.concurrency, 1, 1024);
        const accept =
          opts.acceptSchemaVersion === undefined
            ? undefined
            : intFlag('--accept-schema-version', opts.acceptSchemaVersion, 1, LATEST_VERSION);
        const store = await openStore('--from', opts.from);
        const { exec, dialect } = await connectCql(s);
        try {
          const started = performance.now();
          const result = await restore({
            exec,
            keyspace: s.keyspace,
            dialect,
            datacenter: s.localDataCenter,
            replicationFactor: s.replicationFactor,
            store,
            ...(opts.backup ? { backupId: opts.backup } : {}),
            ...(opts.force ? { force: true } : {}),
            ...(accept !== undefined ? { acceptSchemaVersion: accept } : {}),
            concurrency,
            onProgress: progressPrinter('restore'),
            log: (m) => console.log(m),
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          const rows = Object.values(result.rows).reduce((a, b) => a + b, 0);
          console.log(
            `restored ${result.manifest.id} into ${s.keyspace}: ${rows} rows, ${result.manifest.parts.length} parts` +
              `${result.resumedParts ? ` (${result.resumedParts} resumed)` : ''}, counts and checksums match the manifest, ` +
              `${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
          console.log(
            'next: rebuild the read models from the database and reset the projector offsets (README: restore runbook)',
          );
        } finally {
          await exec.close();
        }
      },
    );
}
