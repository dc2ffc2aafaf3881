import type { Command } from 'commander';
import { ENV, envNote } from '../config/env.ts';
import { cqlSettings, dayFlag, intFlag, type CqlFlags } from '../config/settings.ts';
import { CdcStandinExecutor } from '../cdc/standin/executor.ts';
import type { CqlExecutor } from '../cql/executor.ts';
import { readSideConfig } from '../config/read-side.ts';
import { jsonLogger } from '../log/log.ts';
import type { SeedConfig } from '../seed/generator.ts';

/** The connection flags every command that talks to the CQL server shares. */
export function withCqlOptions(cmd: Command): Command {
  return cmd
    .option('--cql <hosts>', `CQL contact points host[:port],... (${envNote(ENV.cql)})`)
    .option('--keyspace <name>', `keyspace (${envNote(ENV.keyspace)})`)
    .option(
      '--dialect <auto|scylla|cassandra>',
      `CQL dialect; auto detects ScyllaDB from system.versions (${envNote(ENV.dialect)})`,
    )
    .option('--datacenter <name>', `local data-centre name (${envNote(ENV.datacenter)})`)
    .option('--replication-factor <n>', `replication factor for a new keyspace (${envNote(ENV.replicationFactor)})`);
}

export const settingsFrom = (opts: CqlFlags) => cqlSettings(opts);

export interface DatasetFlags {
  seed: string;
  sessions: string;
  accounts: string;
  days: string;
  endDate: string;
}

/** The dataset flags shared by seed, verify and bench: verify must be given what seed was given. */
export function withDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'random seed of the synthetic dataset', '42')
    .option('--sessions <n>', 'number of sessions (about 14 steps each; 70000 gives ~1M steps)', '2000')
    .option('--accounts <n>', 'number of accounts (activity is skewed: a few accounts have most sessions)', '100')
    .option('--days <n>', 'days of history, ending the day before --end-date', '30')
    .option(
      '--end-date <YYYY-MM-DD>',
      'first day after the dataset (UTC); fixed so data is reproducible',
      '2026-11-01',
    );
}

export function datasetFrom(f: DatasetFlags): SeedConfig {
  const config: SeedConfig = {
    seed: intFlag('--seed', f.seed, 0, 2 ** 31 - 1),
    sessions: intFlag('--sessions', f.sessions, 1, 10_000_000),
    accounts: intFlag('--accounts', f.accounts, 1, 1_000_000),
    days: intFlag('--days', f.days, 1, 3650),
    endDate: dayFlag('--end-date', f.endDate),
  };
  return config;
}

/** --cdc-standin: for commands that write, locally, where no ScyllaDB CDC exists (docs/read-side.md). */
export function withStandinOption(cmd: Command): Command {
  return cmd.option(
    '--cdc-standin',
    'also publish every write to a CDC table to Kafka in the ScyllaDB CDC connector format (a STAND-IN for the connector; env AGENTSTORE_KAFKA, AGENTSTORE_TOPIC_PREFIX)',
  );
}

/** The stand-in over `exec` when --cdc-standin is given; close it before `exec`. */
export async function openStandinIf(
  wanted: boolean | undefined,
  exec: CqlExecutor,
  keyspace: string,
): Promise<CdcStandinExecutor | undefined> {
  if (!wanted) return undefined;
  const readSide = readSideConfig({ ...process.env, AGENTSTORE_KEYSPACE: keyspace });
  return CdcStandinExecutor.open(exec, readSide.brokers, keyspace, {
    topicPrefix: readSide.topicPrefix,
    log: jsonLogger({ component: 'cdc-standin' }),
  });
}
