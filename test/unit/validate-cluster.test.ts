import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSteps } from '../../src/validate/cluster-steps.ts';
import { runValidate } from '../../src/validate/orchestrator.ts';
import {
  connectorFetch,
  FakeHelm,
  FakeHost,
  FakeKube,
  pod,
  RecordingProgress,
  readyStack,
} from '../../src/validate/testing/fakes.ts';
import type { Target } from '../../src/validate/types.ts';

const RUNNING = { connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] };

async function run(
  setup: (f: { kube: FakeKube; helm: FakeHelm; host: FakeHost }) => void = () => {},
  status: unknown = RUNNING,
  kind: Target['kind'] = 'cluster',
) {
  const f = { kube: new FakeKube(), helm: new FakeHelm(), host: new FakeHost() };
  setup(f);
  const target: Target = { kind, context: 'kind-agentstore', valuesFile: 'values/kind.yaml', reasons: ['test'] };
  const progress = new RecordingProgress();
  const reportDir = await mkdtemp(join(tmpdir(), 'validate-'));
  const { exitCode, outcome } = await runValidate({
    target,
    progress,
    reportDir,
    steps: clusterSteps({
      target,
      kube: () => f.kube,
      helm: f.helm,
      host: f.host,
      sessions: 100,
      fetch: connectorFetch(status),
      timeouts: { readyMs: 50, connectorMs: 50, jobMs: 50, pollMs: 1 },
    }),
  });
  const md = await readFile(join(reportDir, 'validate.md'), 'utf8');
  return { ...f, exitCode, outcome, out: progress.text, md };
}

describe('make validate on a cluster (fake Kube and Helm)', () => {
  it('installs, waits for every component and the connector, runs the cdk8s Jobs and helm test', async () => {
    const r = await run();
    expect(r.exitCode).toBe(0);
    const install = r.helm.calls.find((c) => c[0] === 'upgrade')!;
    expect(install).toEqual(
      expect.arrayContaining([
        '--install',
        'agentstore',
        'charts/agentstore',
        '--values',
        'values/kind.yaml',
        '--kube-context',
        'kind-agentstore',
      ]),
    );
    expect(r.helm.calls.some((c) => c[0] === 'test' && c.includes('--logs'))).toBe(true);
    expect(r.kube.created.map((j) => (j['metadata'] as { name: string }).name)).toEqual([
      'agentstore-seed',
      'agentstore-verify',
      'agentstore-partitions',
      'agentstore-cdc-probe',
    ]);
    const partitions = r.kube.created[2]! as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    expect(partitions.spec.template.spec.containers[0]!.args).toContain('partitions');
    expect(r.outcome.steps.find((s) => s.step === 'partitions')?.detail).toBe(
      'largest partition: 58 rows; most bytes: 4.4 KiB',
    );
    expect(r.md).toContain('## partitions Job output');
    expect(r.md).toContain('steps_by_account_day_bucket                 1432');
    expect(r.kube.forwards).toEqual([{ pod: 'agentstore-connect-7d9f', port: 8083 }]);
    expect(r.out).toContain('scylladb 1/1  kafka 1/1  connect 1/1  redis 1/1  projector 1/1');
    expect(r.out).toContain(
      '50 probe conversations (run 0a1b2c3d, keyspace agentstore) visible in the read models in 12.3 s; lag p50 5800 ms, p99 9100 ms',
    );
    expect(r.md).toContain('## cdc-probe Job output');
    expect(r.md.split('\n')[0]).toBe(
      'target: existing Kubernetes cluster (context kind-agentstore, values/kind.yaml). Not exercised: nothing.',
    );
    expect(r.out).toContain('`make clean-cluster` removes it');
  });

  it('a pod that never gets ready: names the pod and its state, shows its last logs, says the release is left', async () => {
    const r = await run(({ kube }) => {
      kube.pods = [
        ...readyStack().filter((p) => p.labels['app.kubernetes.io/name'] !== 'scylladb'),
        pod('agentstore-scylladb-0', 'scylladb', false, {
          phase: 'Running',
          containers: [{ name: 'scylladb', ready: false, restarts: 5, waitingReason: 'CrashLoopBackOff' }],
        }),
      ];
      kube.podLogs['agentstore-scylladb-0'] = 'INFO starting\nERROR Could not setup Async I/O: aio-max-nr too low';
      kube.podEvents['agentstore-scylladb-0'] = [
        'Warning BackOff: Back-off restarting failed container scylladb (x23)',
      ];
    });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain(
      'not ready after 0 s: agentstore-scylladb-0 (phase Running; scylladb: CrashLoopBackOff, 5 restarts)',
    );
    expect(r.out).toContain('aio-max-nr too low');
    expect(r.out).toContain('--- agentstore-scylladb-0, events:');
    expect(r.out).toContain('Warning BackOff: Back-off restarting failed container scylladb (x23)');
    expect(r.out).toContain(
      'next step: see the logs below and `kubectl -n agentstore describe pod agentstore-scylladb-0`',
    );
    expect(r.out).toContain('release left installed: run `make clean-cluster` to remove it');
    expect(r.md).toContain('release left installed: run `make clean-cluster` to remove it');
    expect(r.outcome.steps.find((s) => s.step === 'seed')?.status).toBe('skipped');
    expect(r.helm.aborted).toBe(1);
  });

  it('a FAILED connector: prints the trace and how to restart it', async () => {
    const r = await run(() => {}, {
      connector: { state: 'RUNNING' },
      tasks: [
        {
          id: 0,
          state: 'FAILED',
          trace:
            'org.apache.kafka.connect.errors.ConnectException: CDC is not enabled on table sessions\n\tat Worker.run',
        },
      ],
    });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain('connector agentstore-scylla-cdc FAILED (task 0)');
    expect(r.out).toContain('CDC is not enabled on table sessions');
    expect(r.out).toContain('/connectors/agentstore-scylla-cdc/restart?includeTasks=true');
    expect(r.out).toContain('release left installed');
  });

  it('a connector that never reaches RUNNING times out with its last state', async () => {
    const r = await run(() => {}, { connector: { state: 'UNASSIGNED' }, tasks: [] });
    expect(r.out).toMatch(
      /connector agentstore-scylla-cdc not RUNNING after 0 s \(connector UNASSIGNED, tasks none yet\)/,
    );
  });

  it('too little capacity: names the numbers and the fix, installs nothing, leaves nothing', async () => {
    const r = await run(({ kube }) => {
      kube.nodeList = [{ name: 'n1', cpuMillis: 1500, memoryBytes: 2 * 2 ** 30, kubeletVersion: 'v1.33.1' }];
    });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain(
      'too little capacity: the cluster has 1 node(s) with 1500m CPU and 2.0 GiB memory allocatable; the stack needs at least 2000m CPU and 4.0 GiB',
    );
    expect(r.out).toContain('Docker Desktop -> Settings -> Resources');
    expect(r.helm.calls.some((c) => c[0] === 'upgrade')).toBe(false);
    expect(r.out).not.toContain('release left installed');
  });

  it('missing helm: the next step is make setup', async () => {
    const r = await run(({ helm }) => {
      helm.results['version'] = { code: 127, stdout: '', stderr: 'spawn /fake/helm ENOENT' };
    });
    expect(r.out).toContain('helm not usable at /fake/helm: spawn /fake/helm ENOENT');
    expect(r.out).toContain('next step: run `make setup`');
  });

  it('helm install failing (e.g. its own timeout): helm message, and the release is said to be left', async () => {
    const r = await run(({ helm, kube }) => {
      helm.results['upgrade'] = {
        code: 1,
        stdout: '',
        stderr: 'Error: UPGRADE FAILED: post-upgrade hooks failed: job agentstore-migrate failed',
      };
      kube.pods = [
        ...readyStack(),
        pod('agentstore-migrate-x1', 'migration', false, {
          phase: 'Failed',
          containers: [{ name: 'migrate', ready: false, restarts: 0, exitCode: 3 }],
        }),
      ];
      kube.podLogs['agentstore-migrate-x1'] = 'migration 2 changed after it was applied';
    });
    expect(r.out).toContain('helm upgrade --install failed (exit 1)');
    expect(r.out).toContain('--- agentstore-migrate-x1 (migrate), last 20 log lines:');
    expect(r.out).toContain('migration 2 changed after it was applied');
    expect(r.out).toContain('job agentstore-migrate failed');
    expect(r.out).toContain('release left installed: run `make clean-cluster` to remove it');
  });

  it('a failing seed Job: its logs are shown', async () => {
    const r = await run(({ kube }) => {
      kube.jobs['agentstore-seed'] = { succeeded: false, failed: true };
      kube.podLogs['agentstore-seed-abcde'] = 'Error: keyspace agentstore does not exist';
    });
    expect(r.out).toContain('Job agentstore-seed failed');
    expect(r.out).toContain('keyspace agentstore does not exist');
  });

  it('a partitions Job that prints no figures fails the step with its output, and the CDC step is skipped', async () => {
    const r = await run(({ kube }) => {
      kube.podLogs['agentstore-partitions-abcde'] =
        'connected to scylla:9042\nerror: keyspace agentstore_validate has no table sessions';
    });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain('Job agentstore-partitions printed no partition figures');
    expect(r.out).toContain('keyspace agentstore_validate has no table sessions');
    expect(r.outcome.steps.find((s) => s.step === 'verify CDC')?.status).toBe('skipped');
  });

  it('a projector that never gets ready is named like any component', async () => {
    const r = await run(({ kube }) => {
      kube.pods = kube.pods.map((p) =>
        p.labels['app.kubernetes.io/component'] === 'projector'
          ? { ...p, ready: false, phase: 'Running', containers: [{ name: 'projector', ready: false, restarts: 2 }] }
          : p,
      );
      kube.podLogs['agentstore-projector-5c6b'] =
        '{"level":"error","msg":"consumer crashed","error":"Connection error: getaddrinfo ENOTFOUND"}';
    });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain('projector 0/1');
    expect(r.out).toContain(
      'not ready after 0 s: agentstore-projector-5c6b (phase Running; projector: not ready, 2 restarts)',
    );
    expect(r.out).toContain('getaddrinfo ENOTFOUND');
  });

  it("CDC writes that never reach Redis: the probe's own message and logs, and the run fails", async () => {
    const r = await run(({ kube }) => {
      kube.jobs['agentstore-cdc-probe'] = { succeeded: false, failed: true };
      kube.podLogs['agentstore-cdc-probe-abcde'] =
        'error: 50 of 50 probe conversations not visible in the read models after 300 s\nnext: check the connector';
    });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain('Job agentstore-cdc-probe failed');
    expect(r.out).toContain('50 of 50 probe conversations not visible in the read models after 300 s');
    expect(r.outcome.steps.find((s) => s.step === 'helm test')?.status).toBe('skipped');
  });

  it('helm test failing: its report is collected and the run fails', async () => {
    const r = await run(({ helm }) => {
      helm.results['test'] = {
        code: 1,
        stdout: 'POD LOGS: agentstore-test\nP3 FAIL',
        stderr: 'Error: pod agentstore-test failed',
      };
    });
    expect(r.exitCode).toBe(1);
    expect(r.md).toContain('## helm test');
    expect(r.md).toContain('P3 FAIL');
  });

  it('kind: reuses an existing cluster and notes a low fs.aio-max-nr', async () => {
    const r = await run(
      ({ host }) => {
        host.tools['kind'] = '/fake/kind';
        host.execs['/fake/kind get'] = { code: 0, stdout: 'agentstore\n', stderr: '' };
        host.files['/proc/sys/fs/aio-max-nr'] = '65536\n';
      },
      RUNNING,
      'kind',
    );
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain('reused kind cluster "agentstore"; fs.aio-max-nr is 65536 (< 1048576)');
    expect(r.host.calls.some((c) => c[1] === 'create')).toBe(false);
  });

  it('kind: creates the cluster from the committed config when absent, and names a failure', async () => {
    const r = await run(
      ({ host }) => {
        host.tools['kind'] = '/fake/kind';
        host.execs['/fake/kind create'] = {
          code: 1,
          stdout: '',
          stderr: 'ERROR: failed to create cluster: node(s) already exist',
        };
      },
      RUNNING,
      'kind',
    );
    expect(r.host.calls).toContainEqual([
      '/fake/kind',
      'create',
      'cluster',
      '--name',
      'agentstore',
      '--config',
      'scripts/kind/cluster.yaml',
      '--wait',
      '180s',
    ]);
    expect(r.out).toContain('kind could not create the cluster');
    expect(r.out).toContain('kind delete cluster --name agentstore');
  });
});
