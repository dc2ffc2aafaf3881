import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import { ENV } from '../config/env.ts';
import type { ChartServices } from './chart.ts';

/** Unpacks the chart's CLI bundle as the chart's migration Job does (test/cdk8s compares the two). */
const UNPACK =
  "const fs = require('fs'), zlib = require('zlib');\n" +
  "fs.writeFileSync('/app/agentstore.mjs', zlib.brotliDecompressSync(fs.readFileSync('/bundle/agentstore.mjs.br')));\n";

export interface CliJobProps {
  /** The release the Job runs against: its name prefixes the Job's and labels it for the chart's NetworkPolicies. */
  readonly release: string;
  readonly namespace: string;
  /** What the chart rendered for this release (chart.ts chartServices): the bundle ConfigMap and the Redis password. */
  readonly services: ChartServices;
  /** The Job's name is `<release>-<component>`; also its `app.kubernetes.io/component` label. */
  readonly component: string;
  /** The CLI's arguments, e.g. `['seed', '--sessions', '2000']`. */
  readonly args: string[];
  /** The CLI's environment (CQL settings, and Redis for a Job that reads the read models). */
  readonly env: Record<string, string>;
  /** The image with `node`: the chart's `jobs.image`. */
  readonly image: string;
  /** @default kplus.ImagePullPolicy.IF_NOT_PRESENT */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
  /**
   * Run `migrate` first (idempotent, concurrency-safe), for a keyspace the chart's migration hook did not create.
   * @default false
   */
  readonly migrateFirst?: boolean;
  /**
   * Reads the Redis read models: the password from where the chart's own readers take it, and the
   * label the chart's jobs-redis NetworkPolicy admits.
   * @default false
   */
  readonly readModels?: boolean;
  /** @default Duration.minutes(30) */
  readonly activeDeadline?: Duration;
  /**
   * Requests and limits of both containers.
   * @default 100m CPU and 128 MiB requested, 512 MiB memory limit
   */
  readonly resources?: kplus.ContainerResources;
}

/** Pod Security "restricted" (the environment's namespace warns on it): non-root, no capabilities, RuntimeDefault seccomp. */
const RESTRICTED = {
  ensureNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  user: 1000,
  group: 1000,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

/**
 * A Job running one agentstore CLI command in the release's namespace: node (the chart's Jobs image)
 * running the CLI bundle the chart ships in its ConfigMap, unpacked by an init container, with the
 * same variables and flags as the CLI locally. It runs once (no retries, no restarts) and is
 * removed an hour after it finishes.
 */
export class CliJob extends kplus.Job {
  constructor(scope: Construct, id: string, props: CliJobProps) {
    const labels = {
      'app.kubernetes.io/part-of': 'agentstore',
      'app.kubernetes.io/component': props.component,
    };
    super(scope, id, {
      metadata: {
        name: `${props.release}-${props.component}`,
        namespace: props.namespace,
        labels: { ...labels, 'app.kubernetes.io/managed-by': 'cdk8s' },
      },
      backoffLimit: 0,
      activeDeadline: props.activeDeadline ?? Duration.minutes(30),
      ttlAfterFinished: Duration.hours(1),
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
      securityContext: { user: 1000, group: 1000, ensureNonRoot: true },
    });
    // The chart's NetworkPolicies admit pods by these labels (charts/agentstore/templates/networkpolicy.yaml).
    for (const [k, v] of Object.entries({
      'app.kubernetes.io/instance': props.release,
      ...labels,
      'agentstore.io/jobs': 'true',
      'agentstore.io/scylladb-client': 'true',
      ...(props.readModels ? { 'agentstore.io/redis-client': 'true' } : {}),
    }))
      this.podMetadata.addLabel(k, v);

    const bundle = kplus.Volume.fromConfigMap(
      this,
      'bundle',
      kplus.ConfigMap.fromConfigMapName(this, 'bundle-cm', props.services.bundleConfigMap),
      { name: 'bundle' },
    );
    const app = kplus.Volume.fromEmptyDir(this, 'app', 'app');
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp');
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
    };
    const imagePullPolicy = props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT;
    this.addInitContainer({
      name: 'unpack-cli',
      image: props.image,
      imagePullPolicy,
      command: ['node', '-e'],
      args: [UNPACK],
      securityContext: RESTRICTED,
      resources,
      volumeMounts: [
        { volume: bundle, path: '/bundle' },
        { volume: app, path: '/app' },
      ],
    });
    const envVariables = Object.fromEntries(
      Object.entries(props.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
    );
    const password = props.services.redisPassword;
    if (props.readModels && password) {
      envVariables[ENV.redisPassword.name] = kplus.EnvValue.fromSecretValue({
        secret: kplus.Secret.fromSecretName(this, 'redis-auth', password.secret),
        key: password.key,
      });
    }
    this.addContainer({
      name: props.component,
      image: props.image,
      imagePullPolicy,
      ...(props.migrateFirst
        ? {
            command: [
              'sh',
              '-c',
              'node /app/agentstore.mjs migrate && exec node /app/agentstore.mjs "$@"',
              'agentstore',
            ],
            args: props.args,
          }
        : { command: ['node', '/app/agentstore.mjs'], args: props.args }),
      envVariables,
      securityContext: RESTRICTED,
      resources,
      volumeMounts: [
        { volume: app, path: '/app' },
        { volume: tmp, path: '/tmp' },
      ],
    });
  }
}
