/**
 * Test doubles of the cluster seams (Kube, Helm, Host): scripted states, recorded calls. Kept next
 * to the interfaces so a change of an interface breaks them at compile time.
 */
import type { Helm, ProcessResult, Host, JobState, Kube, NodeCapacity, PodState, PortForward } from '../kube.ts';
import { stringify as stringifyYaml } from 'yaml';
import { BUNDLE_KEY } from '../../k8s/chart.ts';
import type { ProgressSink } from '../progress.ts';
import type { StepStatus } from '../types.ts';

export const pod = (name: string, component: string, ready: boolean, extra: Partial<PodState> = {}): PodState => ({
  name,
  phase: ready ? 'Running' : 'Pending',
  ready,
  labels: { 'app.kubernetes.io/name': component },
  containers: [{ name: component, ready, restarts: 0 }],
  ...extra,
});

export const readyStack = (): PodState[] => [
  pod('agentstore-scylladb-0', 'scylladb', true),
  pod('agentstore-kafka-0', 'kafka', true),
  pod('agentstore-connect-7d9f', 'connect', true),
  pod('agentstore-redis-0', 'redis', true),
  pod('agentstore-projector-5c6b', 'agentstore', true, {
    labels: { 'app.kubernetes.io/name': 'agentstore', 'app.kubernetes.io/component': 'projector' },
  }),
];

export class FakeKube implements Kube {
  context: string | null = 'kind-agentstore';
  version: string | Error = 'v1.33.1';
  nodeList: NodeCapacity[] = [{ name: 'n1', cpuMillis: 4000, memoryBytes: 8 * 2 ** 30, kubeletVersion: 'v1.33.1' }];
  pods: PodState[] = readyStack();
  podLogs: Record<string, string> = {
    'agentstore-partitions-abcde': [
      'table                                       rows     parts  most bytes               most rows',
      'sessions                                     100       100  0.1 KiB (1 rows)         1 rows (0.1 KiB) ["ses_1"]',
      'steps_by_account_day_bucket                 1432        87  4.4 KiB (58 rows)        58 rows (4.4 KiB) ["acct_1","2026-11-02",0]',
      'largest partition: 58 rows; most bytes: 4.4 KiB',
    ].join('\n'),
    'agentstore-cdc-probe-abcde':
      'visible in Redis: 50/50\nCDC path ok: 50 probe conversations (run 0a1b2c3d, keyspace agentstore) visible in the read models in 12.3 s; lag p50 5800 ms, p99 9100 ms',
  };
  jobs: Record<string, JobState> = {};
  created: Record<string, unknown>[] = [];
  forwards: { pod: string; port: number }[] = [];

  currentContext(): string | null {
    return this.context;
  }
  async serverVersion(): Promise<string> {
    if (this.version instanceof Error) throw this.version;
    return this.version;
  }
  async nodes(): Promise<NodeCapacity[]> {
    return this.nodeList;
  }
  async listPods(_ns: string, selector?: string): Promise<PodState[]> {
    if (!selector) return this.pods;
    const [k, v] = selector.split('=');
    if (k === 'job-name')
      return [
        pod(`${v}-abcde`, 'job', false, {
          phase: 'Failed',
          containers: [{ name: 'main', ready: false, restarts: 0, exitCode: 1 }],
        }),
      ];
    return this.pods.filter((p) => p.labels[k!] === v);
  }
  async watchPods(_ns: string, onChange: (pods: PodState[]) => void): Promise<() => void> {
    onChange(this.pods);
    return () => {};
  }
  async logs(_ns: string, podName: string): Promise<string> {
    return this.podLogs[podName] ?? `log of ${podName}`;
  }
  async portForward(_ns: string, p: string, port: number): Promise<PortForward> {
    this.forwards.push({ pod: p, port });
    return { localPort: 40000, close() {} };
  }
  async createJob(_ns: string, manifest: Record<string, unknown>): Promise<void> {
    this.created.push(manifest);
  }
  async jobState(_ns: string, name: string): Promise<JobState | null> {
    return this.jobs[name] ?? { succeeded: true, failed: false };
  }
  podEvents: Record<string, string[]> = {};
  deleted: string[] = [];
  async events(_ns: string, name: string): Promise<string[]> {
    return this.podEvents[name] ?? [];
  }
  async createPod(_ns: string, manifest: Record<string, unknown>): Promise<void> {
    this.created.push(manifest);
  }
  async deletePod(_ns: string, name: string): Promise<void> {
    this.deleted.push(name);
  }
}

/**
 * What `helm get manifest` prints for the release, cut to the objects the Jobs take names from
 * (src/k8s/chart.ts); test/cdk8s checks those against the real chart for several release names.
 */
const RELEASE_MANIFEST = stringify([
  service('agentstore-scylladb-client', 'scylladb', 'cql', 9042),
  service('agentstore-redis', 'redis', 'redis', 6379),
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'agentstore-cli' }, binaryData: { [BUNDLE_KEY]: 'AA==' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'agentstore-projector' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'projector',
              env: [
                {
                  name: 'AGENTSTORE_REDIS_PASSWORD',
                  valueFrom: { secretKeyRef: { name: 'agentstore-redis-auth', key: 'password' } },
                },
              ],
            },
          ],
        },
      },
    },
  },
]);

function service(name: string, component: string, portName: string, port: number) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { 'app.kubernetes.io/name': component }, ports: [{ name: portName, port }] },
  };
}

function stringify(objects: object[]): string {
  return objects.map((o) => `---\n${stringifyYaml(o)}`).join('');
}

export class FakeHelm implements Helm {
  readonly binary = '/fake/helm';
  calls: string[][] = [];
  results: Record<string, ProcessResult> = {};
  aborted = 0;
  async run(args: string[], _onLine?: (l: string) => void, signal?: AbortSignal): Promise<ProcessResult> {
    this.calls.push(args);
    signal?.addEventListener('abort', () => this.aborted++);
    const stdout = args[0] === 'version' ? 'v4.0.0+gabc' : args[0] === 'get' ? RELEASE_MANIFEST : `${args[0]} ok\n`;
    return this.results[args[0]!] ?? { code: 0, stdout, stderr: '' };
  }
}

export class FakeHost implements Host {
  tools: Record<string, string> = { helm: '/fake/helm' };
  execs: Record<string, ProcessResult> = {};
  files: Record<string, string> = {};
  calls: string[][] = [];
  async which(tool: string): Promise<string | null> {
    return this.tools[tool] ?? null;
  }
  async exec(file: string, args: string[]): Promise<ProcessResult> {
    this.calls.push([file, ...args]);
    return this.execs[`${file} ${args[0]}`] ?? { code: 0, stdout: '', stderr: '' };
  }
  async readFile(path: string): Promise<string | null> {
    return this.files[path] ?? null;
  }
  os = 'linux';
  user = 1000;
  platform(): string {
    return this.os;
  }
  uid(): number {
    return this.user;
  }
}

/** A connector status answer for the fake fetch. */
export const connectorFetch =
  (status: unknown): typeof fetch =>
  async () =>
    Response.json(status);

export class RecordingProgress implements ProgressSink {
  lines: string[] = [];
  start(step: string): void {
    this.lines.push(`start ${step}`);
  }
  update(step: string, line: string): void {
    this.lines.push(`  ${step}: ${line}`);
  }
  finish(step: string, status: StepStatus, _s: number, detail: string): void {
    this.lines.push(`${status} ${step}: ${detail}`);
  }
  note(line: string): void {
    this.lines.push(line);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}
