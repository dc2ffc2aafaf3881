/**
 * What the chart runs for the CDC connector: the registration Job, the test pod's check and the
 * supervisor run `agentstore connector ...` from the bundle (no inline JavaScript left), and the
 * registration Job's rendered command and environment, run by the bundle, register the rendered config.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BUNDLE_PATH } from '../../scripts/bundle.ts';
import { ensureNode } from '../../scripts/setup/node.ts';
import { ConnectStub } from '../support/connect-stub.ts';
import { render, type K8sObject } from './support/render.ts';
import { missingTools } from './support/tools.ts';

const CHART = 'charts/agentstore';
const why = missingTools();

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readinessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
}
const podSpec = (o: K8sObject): PodSpec =>
  (o.kind === 'Pod' ? o['spec'] : (o['spec'] as { template: { spec: unknown } }).template.spec) as PodSpec;
const named = (objects: K8sObject[], kind: string, suffix: string): K8sObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name.endsWith(suffix));
  if (!o) throw new Error(`no ${kind} *${suffix}`);
  return o;
};
const env = (c: Container): Record<string, string> =>
  Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? `secret:${e.valueFrom?.secretKeyRef?.key}`]));
const shellOf = (c: Container): string => [...(c.command ?? []), ...(c.args ?? [])].join(' ');

describe.skipIf(why !== null)(`the connector in charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it("no pod of the umbrella's runs inline JavaScript but the bundle unpacker; the Jobs and the test pod run the CLI", async () => {
    const { objects } = await render('helm4', { chart: CHART, release: 'rel', namespace: 'ns' });
    // The umbrella's own templates; the Connect subchart's jar downloader has no bundle to run.
    const pods = objects.filter(
      (o) => ['Job', 'Pod', 'Deployment'].includes(o.kind) && o.source?.startsWith('agentstore/templates/'),
    );
    expect(pods.length).toBeGreaterThanOrEqual(5);
    for (const o of pods) {
      for (const c of [...(podSpec(o).initContainers ?? []), ...podSpec(o).containers]) {
        if (c.name === 'unpack-cli') continue;
        expect(shellOf(c), `${o.kind}/${o.metadata.name} ${c.name}`).not.toMatch(/node\s+-e|node -e|\[node, -e\]/);
      }
    }
    expect(podSpec(named(objects, 'Job', '-register-connector')).containers[0]!.command).toEqual([
      'node',
      '/app/agentstore.mjs',
      'connector',
      'register',
    ]);
    expect(shellOf(podSpec(named(objects, 'Pod', '-test')).containers[0]!)).toContain(
      'node /app/agentstore.mjs connector status',
    );
    expect(shellOf(podSpec(named(objects, 'Job', '-migrate')).containers[0]!)).toContain(
      'node /app/agentstore.mjs wait tcp "$AGENTSTORE_CQL"',
    );
  });

  it('the supervisor: one replica, ready on its own health, a client of Connect only, scrapeable when not ready', async () => {
    const { objects } = await render('helm4', { chart: CHART, release: 'rel', namespace: 'ns' });
    const deploy = named(objects, 'Deployment', '-connector-supervisor');
    const spec = deploy['spec'] as {
      replicas: number;
      strategy: { type: string };
      template: { metadata: { labels: Record<string, string> } };
    };
    expect(spec.replicas).toBe(1);
    expect(spec.strategy.type).toBe('Recreate');
    expect(spec.template.metadata.labels['agentstore.io/connect-client']).toBe('true');
    expect(spec.template.metadata.labels['agentstore.io/scylladb-client']).toBeUndefined();
    const [main] = podSpec(deploy).containers;
    expect(main!.command).toEqual(['node', '/app/agentstore.mjs', 'connector', 'supervise']);
    expect(main!.readinessProbe?.httpGet?.path).toBe('/healthz');
    expect(env(main!)).toMatchObject({
      AGENTSTORE_CONNECT_URL: 'http://rel-agentstore-connect.ns.svc:8083',
      AGENTSTORE_CONNECTOR_NAME: 'agentstore-scylla-cdc',
    });
    expect(
      (named(objects, 'Service', '-connector-supervisor-metrics')['spec'] as { publishNotReadyAddresses: boolean })
        .publishNotReadyAddresses,
    ).toBe(true);

    const off = await render('helm4', {
      chart: CHART,
      release: 'rel',
      namespace: 'ns',
      flags: ['--set', 'connector.register=false'],
    });
    expect(off.objects.filter((o) => o.metadata.name.includes('connector-supervisor'))).toEqual([]);
  });

  it("the registration Job's rendered command, run by the bundle, registers the rendered config (with the Secret's credentials)", async () => {
    const { objects } = await render('helm4', {
      chart: CHART,
      release: 'rel',
      namespace: 'ns',
      flags: ['--set', 'scylladb.auth.enabled=true'],
    });
    const job = podSpec(named(objects, 'Job', '-register-connector')).containers[0]!;
    const dir = await mkdtemp(join(tmpdir(), 'chart-connector-'));
    const stub = await new ConnectStub().start();
    try {
      const script = join(dir, 'agentstore.mjs');
      await writeFile(script, brotliDecompressSync(readFileSync(BUNDLE_PATH)));
      const jobEnv = {
        ...env(job),
        AGENTSTORE_CONNECT_URL: stub.url,
        AGENTSTORE_CQL_USERNAME: 'cassandra-user',
        AGENTSTORE_CQL_PASSWORD: 'pw from the secret',
      };
      // The container runs `node /app/agentstore.mjs <args>`: the same, with the bundle unpacked here.
      const chartNode = await ensureNode();
      const argv = [script, ...job.command!.slice(2), ...(job.args ?? [])];
      const run = () =>
        new Promise<{ code: number; out: string }>((resolve) =>
          execFile(
            chartNode,
            argv,
            {
              env: { PATH: process.env['PATH'], ...jobEnv },
              timeout: 60_000,
            },
            (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
          ),
        );
      const first = await run();
      expect(first.code, first.out).toBe(0);
      expect(first.out).toMatch(/connector agentstore-scylla-cdc: created, connector RUNNING/);
      const stored = stub.connectors.get('agentstore-scylla-cdc')!.config;
      expect(stored).toMatchObject({
        'connector.class': 'com.scylladb.cdc.debezium.connector.ScyllaConnector',
        'scylla.cluster.ip.addresses': 'rel-agentstore-scylladb-client.ns.svc:9042',
        'scylla.table.names':
          'agentstore.sessions,agentstore.turns_by_session,agentstore.steps_by_turn,agentstore.pending_inputs_by_account_day_bucket',
        'scylla.user': 'cassandra-user',
        'scylla.password': 'pw from the secret',
      });
      // A second helm upgrade with the same values: nothing written, nothing restarted.
      const again = await run();
      expect(again.code, again.out).toBe(0);
      expect(again.out).toMatch(/unchanged/);
      expect(stub.calls('PUT', '/connectors/agentstore-scylla-cdc/config')).toBe(1);
    } finally {
      await stub.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
