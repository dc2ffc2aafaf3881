/**
 * The seed, verify, bench and cdc-probe Jobs: node (the chart's Jobs image) running the CLI bundle that the
 * chart ships in its ConfigMap (built from charts/agentstore/charts/cli/files/agentstore.mjs.br), unpacked by
 * an init container exactly as the chart's migration Job does. Same variables and flags as the CLI.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import { chartNames, chartValues, cliEnv, datasetArgs, jobsImage, readModelsEnv, type StackConfig } from './config.ts';

const UNPACK =
  "const fs = require('fs'), zlib = require('zlib');\n" +
  "fs.writeFileSync('/app/agentstore.mjs', zlib.brotliDecompressSync(fs.readFileSync('/bundle/agentstore.mjs.br')));\n";

export interface JobSpec {
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

export function jobSpecs(c: StackConfig): JobSpec[] {
  const data = datasetArgs(c.dataset);
  return [
    { name: 'seed', args: ['seed', ...data], keyspace: c.keyspace, deadlineSeconds: 1800, migrateFirst: true },
    { name: 'verify', args: ['verify', ...data], keyspace: c.keyspace, deadlineSeconds: 900, migrateFirst: false },
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

function addJob(scope: Construct, c: StackConfig, spec: JobSpec): kplus.Job {
  const image = jobsImage(c.chartDir);
  const pullPolicy =
    chartValues(c.chartDir).jobs.image.pullPolicy === 'Always'
      ? kplus.ImagePullPolicy.ALWAYS
      : kplus.ImagePullPolicy.IF_NOT_PRESENT;
  const job = new kplus.Job(scope, spec.name, {
    metadata: {
      name: `${c.release}-${spec.name}`,
      namespace: c.namespace,
      labels: {
        'app.kubernetes.io/part-of': 'agentstore',
        'app.kubernetes.io/component': spec.name,
        'app.kubernetes.io/managed-by': 'cdk8s',
      },
    },
    backoffLimit: 0,
    activeDeadline: Duration.seconds(spec.deadlineSeconds),
    ttlAfterFinished: Duration.hours(1),
    restartPolicy: kplus.RestartPolicy.NEVER,
    automountServiceAccountToken: false,
    securityContext: { user: 1000, group: 1000, ensureNonRoot: true },
  });
  // The chart's NetworkPolicies admit pods by these labels (charts/agentstore/templates/networkpolicy.yaml).
  for (const [k, v] of Object.entries({
    'app.kubernetes.io/instance': c.release,
    'app.kubernetes.io/part-of': 'agentstore',
    'app.kubernetes.io/component': spec.name,
    'agentstore.io/jobs': 'true',
    'agentstore.io/scylladb-client': 'true',
    ...(spec.readModels ? { 'agentstore.io/redis-client': 'true' } : {}),
  }))
    job.podMetadata.addLabel(k, v);

  const bundle = kplus.Volume.fromConfigMap(
    scope,
    `${spec.name}-bundle`,
    kplus.ConfigMap.fromConfigMapName(scope, `${spec.name}-cm`, chartNames(c).bundleConfigMap),
    { name: 'bundle' },
  );
  const app = kplus.Volume.fromEmptyDir(scope, `${spec.name}-app`, 'app');
  const tmp = kplus.Volume.fromEmptyDir(scope, `${spec.name}-tmp`, 'tmp');
  // Pod Security "restricted" (the environment's namespace enforces it): non-root, no capabilities, RuntimeDefault seccomp.
  const securityContext = {
    ensureNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    user: 1000,
    group: 1000,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
  const resources = {
    cpu: { request: kplus.Cpu.millis(100) },
    memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
  };
  job.addInitContainer({
    name: 'unpack-cli',
    image,
    imagePullPolicy: pullPolicy,
    command: ['node', '-e'],
    args: [UNPACK],
    securityContext,
    resources,
    volumeMounts: [
      { volume: bundle, path: '/bundle' },
      { volume: app, path: '/app' },
    ],
  });
  const envVariables = Object.fromEntries(
    Object.entries(cliEnv(c, spec.keyspace)).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
  );
  if (spec.readModels) {
    const { env, passwordSecret } = readModelsEnv(c);
    for (const [k, v] of Object.entries(env)) envVariables[k] = kplus.EnvValue.fromValue(v);
    envVariables['AGENTSTORE_REDIS_PASSWORD'] = kplus.EnvValue.fromSecretValue({
      secret: kplus.Secret.fromSecretName(scope, `${spec.name}-redis-auth`, passwordSecret),
      key: 'password',
    });
  }
  job.addContainer({
    name: spec.name,
    image,
    imagePullPolicy: pullPolicy,
    ...(spec.migrateFirst
      ? {
          command: ['sh', '-c', 'node /app/agentstore.mjs migrate && exec node /app/agentstore.mjs "$@"', 'agentstore'],
          args: spec.args,
        }
      : { command: ['node', '/app/agentstore.mjs'], args: spec.args }),
    envVariables,
    securityContext,
    resources,
    volumeMounts: [
      { volume: app, path: '/app' },
      { volume: tmp, path: '/tmp' },
    ],
  });
  return job;
}

/** Adds the Jobs to a chart. The seed Job needs the schema: the chart's migration hook creates it. */
export function addJobs(scope: Construct, c: StackConfig): kplus.Job[] {
  return jobSpecs(c).map((s) => addJob(scope, c, s));
}

/** The Jobs as plain manifest objects, by name (seed, verify, bench, cdc-probe), for the validate orchestrator. */
export function jobManifests(c: StackConfig): Record<string, Record<string, unknown>> {
  const chart = new Chart(new App(), 'jobs', { disableResourceNameHashes: true });
  addJobs(chart, c);
  const out: Record<string, Record<string, unknown>> = {};
  for (const o of chart.toJson() as { metadata: { labels: Record<string, string> } }[])
    out[o.metadata.labels['app.kubernetes.io/component']!] = o;
  return out;
}
