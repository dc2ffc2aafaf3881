/**
 * The NetworkPolicies let the application reach the data layer, in the ways users know from the
 * Bitnami charts (support/netpol.ts evaluates them as the API defines): a pod of the namespace with the
 * component's client label, pods of labelled namespaces, any pod (allowExternal), extra rules; nothing
 * else. The chart's own pods still reach what they use, and NOTES.txt names the labels.
 */
import { describe, expect, it } from 'vitest';
import { admits, type Endpoint } from './support/netpol.ts';
import { podTemplates } from './support/pods.ts';
import { render, type K8sObject } from './support/render.ts';
import { HELM, missingTools, run } from './support/tools.ts';

const CHART = 'charts/agentstore';
const NS = 'apps';
const why = missingTools();

const COMPONENTS = [
  { name: 'scylladb', ports: [9042, 19042] },
  { name: 'redis', ports: [6379] },
  { name: 'kafka', ports: [9092] },
  { name: 'connect', ports: [8083] },
] as const;

const objects = async (set: string[] = [], flags: string[] = []): Promise<K8sObject[]> =>
  (await render('helm4', { chart: CHART, release: 'shop', namespace: NS, set, flags })).objects;

/** The pod labels of a component's workload, as rendered. */
const podOf = (all: K8sObject[], component: string): Endpoint => {
  const pod = podTemplates(all).find((p) => p.labels['app.kubernetes.io/name'] === component);
  if (!pod) throw new Error(`no pod of ${component}`);
  return { namespace: NS, labels: pod.labels };
};
const app = (
  namespace: string,
  labels: Record<string, string>,
  namespaceLabels?: Record<string, string>,
): Endpoint => ({
  namespace,
  labels: { 'app.kubernetes.io/name': 'my-app', 'app.kubernetes.io/instance': 'my-app', ...labels },
  namespaceLabels,
});

describe('admits (the evaluator the chart is checked with)', () => {
  const policy = (spec: Record<string, unknown>): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: NS },
    spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ...spec },
  });
  const db: Endpoint = { namespace: NS, labels: { app: 'db' } };
  it('admits everything to a pod no Ingress policy selects, nothing when a policy has no rules', () => {
    expect(admits([], app('x', {}), db, 1)).toBe(true);
    expect(admits([policy({ policyTypes: ['Egress'] })], app('x', {}), db, 1)).toBe(true);
    expect(admits([policy({ ingress: [] })], app(NS, {}), db, 1)).toBe(false);
  });
  it('reads a namespaceSelector and a podSelector in one peer as both, in two peers as either', () => {
    const both = policy({
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { t: 'w' } }, podSelector: { matchLabels: { r: 'a' } } }] },
      ],
    });
    const either = policy({
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { t: 'w' } } }, { podSelector: { matchLabels: { r: 'a' } } }] },
      ],
    });
    expect(admits([both], app('web', { r: 'b' }, { t: 'w' }), db, 1)).toBe(false);
    expect(admits([both], app('web', { r: 'a' }, { t: 'w' }), db, 1)).toBe(true);
    expect(admits([either], app('web', { r: 'b' }, { t: 'w' }), db, 1)).toBe(true);
    expect(admits([either], app('web', { r: 'a' }), db, 1)).toBe(false);
    expect(admits([either], app(NS, { r: 'a' }), db, 1)).toBe(true);
  });
  it('matches ports, and a rule without from or ports as any', () => {
    const p = policy({ ingress: [{ ports: [{ port: 5, protocol: 'TCP' }] }] });
    expect(admits([p], app('x', {}), db, 5)).toBe(true);
    expect(admits([p], app('x', {}), db, 6)).toBe(false);
    expect(admits([policy({ ingress: [{}] })], app('x', {}), db, 6)).toBe(true);
  });
});

describe.skipIf(why !== null)(`NetworkPolicies of charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  describe.each(COMPONENTS)('$name', ({ name, ports }) => {
    const label = { [`agentstore.io/${name}-client`]: 'true' };
    const reaches = (all: K8sObject[], from: Endpoint): boolean[] =>
      ports.map((port) => admits(all, from, podOf(all, name), port));

    it('admits an application of another release in the namespace that carries only the client label', async () => {
      const all = await objects();
      expect(reaches(all, app(NS, label))).toEqual(ports.map(() => true));
      expect(reaches(all, app(NS, {}))).toEqual(ports.map(() => false));
      expect(reaches(all, app('web', label))).toEqual(ports.map(() => false));
    });

    it('admits pods of namespaces with ingressNSMatchLabels, narrowed by ingressNSPodMatchLabels', async () => {
      const nsOnly = await objects([`${name}.networkPolicy.ingressNSMatchLabels.team=web`]);
      expect(reaches(nsOnly, app('web', {}, { team: 'web' }))).toEqual(ports.map(() => true));
      expect(reaches(nsOnly, app('shop', {}, { team: 'shop' }))).toEqual(ports.map(() => false));
      const narrowed = await objects([
        `${name}.networkPolicy.ingressNSMatchLabels.team=web`,
        `${name}.networkPolicy.ingressNSPodMatchLabels.role=api`,
      ]);
      expect(reaches(narrowed, app('web', { role: 'api' }, { team: 'web' }))).toEqual(ports.map(() => true));
      expect(reaches(narrowed, app('web', { role: 'ui' }, { team: 'web' }))).toEqual(ports.map(() => false));
    });

    it('admits any pod with allowExternal, and extraIngress rules as given', async () => {
      const open = await objects([`${name}.networkPolicy.allowExternal=true`]);
      expect(reaches(open, app('anywhere', {}))).toEqual(ports.map(() => true));
      const extra = await objects(
        [],
        [
          '--set-json',
          `${name}.networkPolicy.extraIngress=[{"from":[{"podSelector":{"matchLabels":{"role":"backup"}}}],"ports":[{"port":${ports[0]}}]}]`,
        ],
      );
      expect(admits(extra, app(NS, { role: 'backup' }), podOf(extra, name), ports[0])).toBe(true);
      expect(admits(extra, app(NS, { role: 'other' }), podOf(extra, name), ports[0])).toBe(false);
    });
  });

  it('the chart’s own pods still reach what they use', async () => {
    const all = await objects();
    const pod = (owner: string): Endpoint => {
      const p = podTemplates(all).find((x) => x.owner === owner);
      if (!p) throw new Error(`no ${owner}`);
      return { namespace: NS, labels: p.labels };
    };
    const uses: [string, string, number][] = [
      ['Deployment/shop-agentstore-connect', 'scylladb', 9042],
      ['Deployment/shop-agentstore-connect', 'kafka', 9092],
      ['Deployment/shop-agentstore-projector', 'kafka', 9092],
      ['Deployment/shop-agentstore-projector', 'redis', 6379],
      ['Job/shop-agentstore-migrate', 'scylladb', 9042],
      ['Job/shop-agentstore-register-connector', 'connect', 8083],
      ['Pod/shop-agentstore-test', 'redis', 6379],
      ['StatefulSet/shop-agentstore-kafka', 'kafka', 9092],
    ];
    for (const [from, to, port] of uses)
      expect(admits(all, pod(from), podOf(all, to), port), `${from} -> ${to}`).toBe(true);
  });

  it('NOTES.txt names the label each client pod needs', async () => {
    const r = await run(HELM.helm4, ['install', 'shop', CHART, '--namespace', NS, '--dry-run=client'], undefined, {
      KUBECONFIG: '/nonexistent',
    });
    expect(r.code, r.stderr).toBe(0);
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
    for (const { name } of COMPONENTS) expect(notes).toContain(`agentstore.io/${name}-client: "true"`);
    expect(notes).toContain('networkPolicy.allowExternal');
    expect(notes).toContain('networkPolicy.ingressNSMatchLabels');
  });
});
