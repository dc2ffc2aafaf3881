import { Command } from 'commander';
import { connectCql } from '../../cql/connect.ts';
import { LATEST_VERSION } from '../../migrations/index.ts';
import { migrate, schemaVersion } from '../../migrations/runner.ts';
import { ENV, readEnv } from '../../config/env.ts';
import { intFlag, UsageError, type CqlFlags } from '../../config/settings.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';

export function migrateCommand(): Command {
  return withCqlOptions(new Command('migrate'))
    .description('create the keyspace and apply pending schema migrations (safe to run concurrently)')
    .option('--target <version>', `stop after this version (default: latest, ${LATEST_VERSION})`)
    .option(
      '--fresh',
      "drop the keyspace first: for a scratch keyspace (helm test's), never the one AGENTSTORE_KEYSPACE names",
    )
    .action(async (opts: CqlFlags & { target?: string; fresh?: boolean }) => {
      const s = settingsFrom(opts);
      const target = opts.target === undefined ? undefined : intFlag('--target', opts.target, 1, LATEST_VERSION);
      if (opts.fresh) refuseFreshOnDataKeyspace(opts.keyspace, readEnv(process.env, ENV.keyspace));
      const { exec, dialect, serverVersion } = await connectCql(s);
      try {
        console.log(`connected to ${s.contactPoints} (${dialect} ${serverVersion}); keyspace ${s.keyspace}`);
        if (opts.fresh) {
          // A scratch keyspace left by an earlier release holds another dataset (another generator, another layout):
          // a test that seeds into it would verify the union of both.
          await exec.execute(`DROP KEYSPACE IF EXISTS ${s.keyspace}`);
          console.log(`  dropped keyspace ${s.keyspace} (--fresh)`);
        }
        const result = await migrate({
          exec,
          keyspace: s.keyspace,
          dialect,
          datacenter: s.localDataCenter,
          replicationFactor: s.replicationFactor,
          ...(target ? { target } : {}),
          log: (m) => console.log(`  ${m}`),
        });
        console.log(
          result.applied.length
            ? `schema at version ${result.version} (applied ${result.applied.join(', ')})`
            : `schema at version ${result.version}: nothing to apply`,
        );
      } finally {
        await exec.close();
      }
    });
}

export function statusCommand(): Command {
  return withCqlOptions(new Command('status'))
    .description('print the server dialect and the schema version; exit 1 if migrations are pending')
    .action(async (opts: CqlFlags) => {
      const s = settingsFrom(opts);
      const { exec, dialect, serverVersion } = await connectCql(s);
      try {
        const version = await schemaVersion(exec, s.keyspace);
        console.log(`server:  ${dialect} ${serverVersion} at ${s.contactPoints}`);
        console.log(`schema:  keyspace ${s.keyspace} at version ${version} of ${LATEST_VERSION}`);
        if (version < LATEST_VERSION) {
          console.log('pending migrations: run `agentstore migrate`');
          process.exitCode = 1;
        }
      } finally {
        await exec.close();
      }
    });
}

/** --fresh drops data: only a keyspace named by --keyspace, and never the one the environment says holds the data. */
function refuseFreshOnDataKeyspace(flag: string | undefined, fromEnv: string | undefined): void {
  if (flag === undefined)
    throw new UsageError('--fresh needs --keyspace: name the scratch keyspace to drop and recreate');
  if (flag === fromEnv)
    throw new UsageError(
      `--fresh would drop ${flag}, the keyspace AGENTSTORE_KEYSPACE names (the data's): give a scratch keyspace`,
    );
}
