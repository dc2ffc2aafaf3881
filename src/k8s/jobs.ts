/**
 * The seed, verify, partitions, bench and cdc-probe Jobs (CliJob), for one release: the Service names come from the
 * chart as rendered for that release (chart.ts), the image and dataset from the chart's values and the
 * CLI's own flag definitions (config.ts).
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import type { ChartServices } from './chart.ts';
import { CliJob } from './cli-job.ts';
import { chartValues, cliEnv, datasetArgs, jobsImage, readModelsEnv, type StackConfig } from './config.ts';

interface JobSpec {
  /** Job name suffix: <release>-<name>. */
  name: string;
  args: string[];
  /** Run `migrate` first (idempotent, concurrency-safe): a keyspace other than the chart's has no schema yet. */
  migrateFirst: boolean;
  keyspace: string;
  deadlineSeconds: number;
  /** Reads the Redis read models: Redis variables and the label the chart's jobs-redis NetworkPolicy admits. */
  readModels?: boolean;
}

function jobSpecs(c: StackConfig): JobSpec[] {
  const data = datasetArgs(c.dataset);
  return [
    { name: 'seed', args: ['seed', ...data], keyspace: c.keyspace, deadlineSeconds: 1800, migrateFirst: true },
    { name: 'verify', args: ['verify', ...data], keyspace: c.keyspace, deadlineSeconds: 900, migrateFirst: false },
    // Every table's largest partition in the seeded keyspace (a full scan of a validation dataset).
    { name: 'partitions', args: ['partitions'], keyspace: c.keyspace, deadlineSeconds: 900, migrateFirst: false },
    // No bench subcommand is in the bundle: the seed command's rows/s over a larger dataset is the write benchmark.
    {
      name: 'bench',
      args: ['seed', ...datasetArgs({ ...c.dataset, sessions: String(c.benchSessions) })],
      keyspace: `${c.keyspace}_bench`,
      deadlineSeconds: 3600,
      migrateFirst: true,
    },
    // The keyspace the connector captures (the chart's global.keyspace): only its changes reach Kafka.
    {
      name: 'cdc-probe',
      args: ['cdc-probe', '--writes', String(c.cdcProbeWrites), '--timeout', '300'],
      keyspace: chartValues(c.chartDir).global.keyspace,
      deadlineSeconds: 420,
      migrateFirst: false,
      readModels: true,
    },
  ];
}

/** Adds the Jobs to a chart. The seed Job needs the schema: the chart's migration hook creates it. */
export function addJobs(scope: Construct, c: StackConfig, services: ChartServices): kplus.Job[] {
  const image = jobsImage(c.chartDir);
  const imagePullPolicy =
    chartValues(c.chartDir).jobs.image.pullPolicy === 'Always'
      ? kplus.ImagePullPolicy.ALWAYS
      : kplus.ImagePullPolicy.IF_NOT_PRESENT;
  return jobSpecs(c).map(
    (spec) =>
      new CliJob(scope, spec.name, {
        release: c.release,
        namespace: c.namespace,
        services,
        component: spec.name,
        args: spec.args,
        env: { ...cliEnv(c, services, spec.keyspace), ...(spec.readModels ? readModelsEnv(c, services).env : {}) },
        image,
        imagePullPolicy,
        migrateFirst: spec.migrateFirst,
        readModels: spec.readModels ?? false,
        activeDeadline: Duration.seconds(spec.deadlineSeconds),
      }),
  );
}

/** The Jobs as plain manifest objects, by name (seed, verify, partitions, bench, cdc-probe), for the validate orchestrator. */
export function jobManifests(c: StackConfig, services: ChartServices): Record<string, Record<string, unknown>> {
  const chart = new Chart(new App(), 'jobs', { disableResourceNameHashes: true });
  addJobs(chart, c, services);
  const out: Record<string, Record<string, unknown>> = {};
  for (const o of chart.toJson() as { metadata: { labels: Record<string, string> } }[])
    out[o.metadata.labels['app.kubernetes.io/component']!] = o;
  return out;
}
