/**
 * Each wiring check fails on a deliberately broken copy of the fixture chart's manifests, with a
 * message naming the object and field, and passes on the unbroken ones.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hostPorts } from './support/hostports.ts';
import { kubeconform, render, type K8sObject } from './support/render.ts';
import { missingTools, ROOT } from './support/tools.ts';
import { wiringFindings } from './support/wiring.ts';

const NS = 'fixture-ns';
const skip = missingTools();

/** A deep copy of the manifests with one object changed in place, removed or rendered twice. */
function broken(objects: K8sObject[], target: string, change: (o: any) => void | 'remove' | 'twice'): K8sObject[] {
  const copy = structuredClone(objects);
  const i = copy.findIndex((o) => `${o.kind}/${o.metadata.name}` === target);
  if (i < 0) throw new Error(`fixture has no ${target}`);
  const what = change(copy[i]);
  if (what === 'remove') copy.splice(i, 1);
  if (what === 'twice') copy.push(structuredClone(copy[i] as K8sObject));
  return copy;
}
const container = (o: any, name: string): any => o.spec.template.spec.containers.find((c: any) => c.name === name);
const env = (o: any, c: string, name: string): any => container(o, c).env.find((e: any) => e.name === name);

type Case = [title: string, target: string, change: (o: any) => void | 'remove' | 'twice', finding: RegExp];
const CASES: Case[] = [
  ['duplicate object', 'ConfigMap/fx-redis', () => 'twice', /^duplicate: ConfigMap\/fx-redis is rendered twice/],
  [
    'Service name beyond a DNS label',
    'Service/fx-redis',
    (o) => {
      o.metadata.name = 'fx-redis-'.padEnd(64, 'x');
    },
    /^name: Service\/fx-redis-x+: the name has 64 characters, more than the 63 a Service may have/,
  ],
  [
    'StatefulSet name too long for its revision label',
    'StatefulSet/fx-redis',
    (o) => {
      o.metadata.name = 'fx-redis-'.padEnd(53, 'x');
    },
    /^name: StatefulSet\/fx-redis-x+: the name has 53 characters, more than the 52 a StatefulSet may have/,
  ],
  [
    'name with upper case',
    'ConfigMap/fx-redis',
    (o) => {
      o.metadata.name = 'fx-Redis';
    },
    /^name: ConfigMap\/fx-Redis: "fx-Redis" is not a DNS-1123 subdomain/,
  ],
  [
    'foreign namespace',
    'Service/fx-redis',
    (o) => {
      o.metadata.namespace = 'kube-system';
    },
    /^namespace: Service\/fx-redis has metadata.namespace "kube-system"/,
  ],
  [
    'selector matching no pod',
    'Service/fx-redis',
    (o) => {
      o.spec.selector['app.kubernetes.io/component'] = 'srv';
    },
    /^service: Service\/fx-redis selector \{.*component=srv\} matches no pod template/,
  ],
  [
    'unknown named targetPort',
    'Service/fx-redis',
    (o) => {
      o.spec.ports[0].targetPort = 'resid';
    },
    /^service: Service\/fx-redis port 6379 targets port name "resid"/,
  ],
  [
    'missing Secret',
    'Secret/fx-redis',
    () => 'remove',
    /^reference: StatefulSet\/fx-redis container redis env REDIS_PASSWORD refers to Secret\/fx-redis, which is neither rendered/,
  ],
  [
    'missing Secret key',
    'StatefulSet/fx-redis',
    (o) => {
      env(o, 'redis', 'REDIS_PASSWORD').valueFrom.secretKeyRef.key = 'pass';
    },
    /refers to key "pass" of Secret\/fx-redis, which has only \[password\]/,
  ],
  [
    'missing ConfigMap',
    'ConfigMap/fx-redis',
    () => 'remove',
    /^reference: Deployment\/fx-redis-client volume "config" refers to ConfigMap\/fx-redis/,
  ],
  [
    'missing ServiceAccount',
    'ServiceAccount/fx-redis',
    () => 'remove',
    /serviceAccountName refers to ServiceAccount\/fx-redis/,
  ],
  [
    'mount of undefined volume',
    'Deployment/fx-redis-client',
    (o) => {
      container(o, 'client').volumeMounts[0].name = 'cfg';
    },
    /container client mounts volume "cfg", which the pod does not define/,
  ],
  [
    'env host:port on the wrong port',
    'Deployment/fx-redis-client',
    (o) => {
      env(o, 'client', 'REDIS_ADDR').value = 'fx-redis:6380';
    },
    /^host:port: Deployment\/fx-redis-client container client env REDIS_ADDR: fx-redis:6380: Service fx-redis has ports \[6379\], not 6380/,
  ],
  [
    'env host:port to no Service',
    'Deployment/fx-redis-client',
    (o) => {
      env(o, 'client', 'REDIS_ADDR').value = 'redis:6379';
    },
    /REDIS_ADDR: redis:6379: no rendered Service "redis"/,
  ],
  [
    'host:port in another namespace',
    'ConfigMap/fx-redis',
    (o) => {
      o.data['client.properties'] = 'url=fx-redis.default.svc.cluster.local:6379';
    },
    /ConfigMap\/fx-redis key client.properties: fx-redis.default.svc.cluster.local:6379: namespace "default" is not the release namespace/,
  ],
  [
    'pod DNS beyond the replicas',
    'ConfigMap/fx-redis',
    (o) => {
      o.data['client.properties'] = 'p=fx-redis-1.fx-redis-headless:6379';
    },
    /fx-redis-1.fx-redis-headless:6379: "fx-redis-1" is not a pod of a StatefulSet/,
  ],
  [
    'pod DNS through a non-headless Service',
    'ConfigMap/fx-redis',
    (o) => {
      o.data['client.properties'] = 'p=fx-redis-0.fx-redis:6379';
    },
    /Service fx-redis is not headless/,
  ],
  [
    'PodDisruptionBudget selecting no pod',
    'PodDisruptionBudget/fx-redis',
    (o) => {
      o.spec.selector.matchLabels['app.kubernetes.io/component'] = 'srv';
    },
    /^selector: PodDisruptionBudget\/fx-redis selector \{.*component=srv\} matches no pod template/,
  ],
  [
    'ServiceMonitor on a missing port name',
    'ServiceMonitor/fx-redis',
    (o) => {
      o.spec.endpoints[0].port = 'metrics';
    },
    /^selector: ServiceMonitor\/fx-redis endpoint port "metrics" is not a named port of Service\/fx-redis-headless, Service\/fx-redis/,
  ],
  [
    'host:port in args',
    'StatefulSet/fx-redis',
    (o) => {
      container(o, 'redis').args.push('--replicaof', 'fx-redis-main:6379');
    },
    /container redis args: fx-redis-main:6379: no rendered Service/,
  ],
];

describe('hostPorts', () => {
  it('finds host:port in URLs, lists, key=value and env expansions, and nothing else', () => {
    const text =
      'url=redis://a-b:6379/0 PLAINTEXT://$(POD_NAME).k-headless:9092,k-1.k.ns.svc:9092 "x":"y" 12:30 image:tag';
    expect(hostPorts(text)).toEqual([
      { host: 'a-b', port: 6379 },
      { host: '__env__.k-headless', port: 9092 },
      { host: 'k-1.k.ns.svc', port: 9092 },
      { host: '12', port: 30 },
    ]);
  });
});

describe.skipIf(skip !== null)(`wiring checks on the fixture chart${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let good: K8sObject[] = [];
  beforeAll(async () => {
    good = (
      await render('helm4', { chart: `${ROOT}/test/fixtures/parent-chart/deps/redis`, release: 'fx', namespace: NS })
    ).objects;
  });

  it('finds nothing on the unbroken fixture', () => {
    expect(wiringFindings(good, { namespace: NS })).toEqual([]);
  });

  it.each(CASES)('finds a %s', (_title, target, change, finding) => {
    const findings = wiringFindings(broken(good, target, change), { namespace: NS });
    expect(
      findings.some((f) => finding.test(f)),
      findings.join('\n') || '(no findings)',
    ).toBe(true);
  });

  it('accepts a missing Secret that is declared external', () => {
    const objects = broken(good, 'Secret/fx-redis', () => 'remove');
    expect(wiringFindings(objects, { namespace: NS, external: ['Secret/fx-redis'] })).toEqual([]);
  });

  it('kubeconform -strict rejects an unknown field and a wrong type, naming them', async () => {
    const bad =
      `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, protocl: TCP}]\n---\n` +
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: "2"\n  selector: {matchLabels: {a: b}}\n` +
      `  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n`;
    const findings = (await kubeconform(bad)).sort((a, b) => a.object.localeCompare(b.object));
    expect(findings.map((f) => f.object)).toEqual(['Deployment/d', 'Service/s']);
    expect(findings[0]?.message).toMatch(/\/spec\/replicas.*got string, want/);
    expect(findings[1]?.message).toMatch(/additional properties 'protocl' not allowed/);
  });

  it('kubeconform reports a kind it has no schema for instead of skipping it', async () => {
    const findings = await kubeconform('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
    expect(findings).toEqual([
      { object: 'Widget/w', message: expect.stringMatching(/could not find schema for Widget/) },
    ]);
  });
});
