import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartServices } from '../../src/k8s/chart.ts';
import { defaultConfig } from '../../src/k8s/config.ts';
import { jobManifests } from '../../src/k8s/jobs.ts';
import { skipReasonUnlessCi } from '../support/ci.ts';
import { chartCopy, helmTemplate, HELM, podOf, type K8sObject } from './support.ts';

/**
 * The Jobs reach the release's Services whatever the release is called: `make manifests` once
 * pointed release foo's Jobs at foo-scylladb-client while the chart created foo-agentstore-scylladb-client.
 * Each name is rendered with the real chart (helm template) and every reference of every Job resolved.
 */
const RELEASES = [
  'agentstore',
  'foo',
  'my-agentstore-prod', // contains the chart's name: the chart then drops its own suffix
  'payments-platform-data-layer-eu-west-1-prod', // 43 characters
];
const NAMESPACE = 'apps';
const helmMissing = skipReasonUnlessCi(existsSync(HELM) ? null : 'missing .tools/bin/helm (run `make setup`)');

let chartDir = '';
beforeAll(() => {
  chartDir = chartCopy();
});

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
const envOf = (job: Record<string, unknown>): Env[] =>
  podOf(job as unknown as K8sObject).spec.containers[0]!.env as Env[];
const podLabels = (o: K8sObject): Record<string, string> =>
  (o['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;

/** The Service host:port names in the rendered chart, and the workload its selector picks. */
function resolve(chart: K8sObject[], hostPort: string): { service: string; workload: string } {
  const [host, port] = hostPort.replace(/^redis:\/\//, '').split(':');
  const [service, ns, svc] = host!.split('.');
  expect(`${ns}.${svc}`).toBe(`${NAMESPACE}.svc`);
  const services = chart.filter((o) => o.kind === 'Service' && o.metadata.name === service);
  expect(services, `exactly one Service ${service}`).toHaveLength(1);
  const spec = services[0]!['spec'] as { selector: Record<string, string>; ports: { port: number }[] };
  expect(spec.ports.map((p) => p.port)).toContain(Number(port));
  const selected = chart.filter(
    (o) =>
      ['StatefulSet', 'Deployment'].includes(o.kind) &&
      Object.entries(spec.selector).every(([k, v]) => podLabels(o)[k] === v),
  );
  expect(selected, `Service ${service} selects one workload`).toHaveLength(1);
  return { service: service!, workload: selected[0]!.metadata.labels!['app.kubernetes.io/name']! };
}

describe("the Jobs find the chart's Services for any release name", () => {
  for (const release of RELEASES) {
    it(`release ${release} (${release.length} characters)`, async ({ skip }) => {
      if (helmMissing) skip(helmMissing);
      const chart = await helmTemplate(chartDir, 'values/kind.yaml', release, NAMESPACE);
      const names = chart.map((o) => `${o.kind}/${o.metadata.name}`);
      const collide = names.length !== new Set(names).size;
      if (collide) {
        // A chart whose names collapse for a long release name: the Jobs refuse rather than point at
        // whichever object Kubernetes kept.
        expect(() => chartServices(chart)).toThrow(/too long for the chart's names|Services for/);
        return;
      }
      const jobs = jobManifests(defaultConfig({ chartDir, release, namespace: NAMESPACE }), chartServices(chart));
      expect(Object.keys(jobs).sort()).toEqual(['bench', 'cdc-probe', 'partitions', 'seed', 'verify']);
      for (const [name, job] of Object.entries(jobs)) {
        const env = Object.fromEntries(envOf(job).map((e) => [e.name, e]));
        expect(resolve(chart, env['AGENTSTORE_CQL']!.value!).workload, `${name}: CQL`).toBe('scylladb');
        const bundle = podOf(job as unknown as K8sObject).spec.volumes!.find((v) => v.name === 'bundle')!.configMap!
          .name;
        expect(
          chart.some((o) => o.kind === 'ConfigMap' && o.metadata.name === bundle),
          `${name}: ConfigMap ${bundle}`,
        ).toBe(true);
        if (name !== 'cdc-probe') continue;
        expect(resolve(chart, env['AGENTSTORE_REDIS']!.value!).workload, 'cdc-probe: Redis').toBe('redis');
        const ref = env['AGENTSTORE_REDIS_PASSWORD']!.valueFrom!.secretKeyRef!;
        const secret = chart.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name);
        expect(Object.keys((secret?.['data'] as object) ?? {}), `Secret ${ref.name}`).toContain(ref.key);
      }
    });
  }
});
