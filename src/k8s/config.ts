/**
 * The one configuration the cdk8s app is built from, derived from the CLI's own definitions so
 * the Jobs cannot drift from it: dataset flags and defaults come from withDatasetOptions
 * (src/cli/options.ts), the connection variables are checked by cqlSettings (src/config/settings.ts),
 * the image comes from the chart's values.yaml, and the Service names from the chart as rendered for the
 * release (chart.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { withDatasetOptions } from '../cli/options.ts';
import { ENV } from '../config/env.ts';
import { cqlSettings } from '../config/settings.ts';
import { readSideConfig } from '../config/read-side.ts';
import { REPO_ROOT } from '../util/repo.ts';
import type { ChartServices } from './chart.ts';

export const ROOT = REPO_ROOT;
const CHART_DIR = join(ROOT, 'charts/agentstore');

export interface StackConfig {
  release: string;
  namespace: string;
  /** The chart directory (tests point it at a copy). */
  chartDir: string;
  /** Values files passed to the chart, relative to ROOT. */
  valuesFiles: string[];
  keyspace: string;
  /** Dataset of the seed and verify Jobs: flag name (without --) to value. */
  dataset: Record<string, string>;
  /** Sessions of the bench Job's dataset (seeded into <keyspace>_bench). */
  benchSessions: number;
  /** Probe conversations of the cdc-probe Job. */
  cdcProbeWrites: number;
}

/** The dataset flags with the CLI's defaults, read from the commander definitions themselves. */
export function datasetDefaults(): Record<string, string> {
  const cmd = withDatasetOptions(new Command());
  return Object.fromEntries(cmd.options.map((o) => [o.long!.replace(/^--/, ''), String(o.defaultValue)]));
}

export function defaultConfig(over: Partial<StackConfig> = {}): StackConfig {
  return {
    release: ENV.release.default,
    namespace: ENV.namespace.default,
    chartDir: CHART_DIR,
    valuesFiles: ENV.values.default.split(','),
    keyspace: 'agentstore',
    dataset: datasetDefaults(),
    benchSessions: 20_000,
    cdcProbeWrites: 50,
    ...over,
  };
}

export const datasetArgs = (d: Record<string, string>): string[] =>
  Object.entries(d).flatMap(([k, v]) => [`--${k}`, v]);

interface ChartValues {
  global: { keyspace: string };
  projector: { redisKeyPrefix: string };
  jobs: {
    image: { registry: string; repository: string; tag: string; pullPolicy: string };
    resources: Record<string, unknown>;
  };
  scylladb: { replicaCount?: number };
}

export function chartValues(chartDir: string): ChartValues {
  return parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as ChartValues;
}

/** The Jobs' image: the one the chart's own Jobs use (values.yaml jobs.image). */
export function jobsImage(chartDir: string): string {
  const i = chartValues(chartDir).jobs.image;
  return `${i.registry}/${i.repository}:${i.tag}`;
}

/** The CLI's environment in the cluster, the same variables the CLI reads locally; validated by the CLI's own parser. */
export function cliEnv(c: StackConfig, services: ChartServices, keyspace = c.keyspace): Record<string, string> {
  const env = {
    [ENV.cql.name]: `${services.cql.service}.${c.namespace}.svc:${services.cql.port}`,
    [ENV.keyspace.name]: keyspace,
    [ENV.dialect.name]: 'scylla',
    [ENV.datacenter.name]: 'datacenter1',
    [ENV.replicationFactor.name]: String(Math.min(3, chartValues(c.chartDir).scylladb.replicaCount ?? 1)),
  };
  const parsed = cqlSettings({}, env);
  if (parsed.contactPoints !== env[ENV.cql.name] || parsed.keyspace !== keyspace)
    throw new Error('cliEnv: the CLI does not read these variables');
  return env;
}

/**
 * What a Job reading the read models adds to cliEnv: Redis and the projector's key prefix, checked by
 * the CLI's own parser, plus where the chart's own Redis readers take the password from (none
 * without auth), which goes into AGENTSTORE_REDIS_PASSWORD.
 */
export function readModelsEnv(
  c: StackConfig,
  services: ChartServices,
): { env: Record<string, string>; password: ChartServices['redisPassword'] } {
  const env = {
    [ENV.redis.name]: `redis://${services.redis.service}.${c.namespace}.svc:${services.redis.port}`,
    [ENV.redisPrefix.name]: chartValues(c.chartDir).projector.redisKeyPrefix,
  };
  const parsed = readSideConfig(env);
  if (parsed.redisUrl !== env[ENV.redis.name] || parsed.keyPrefix !== env[ENV.redisPrefix.name])
    throw new Error('readModelsEnv: the CLI does not read these variables');
  return { env, password: services.redisPassword };
}
