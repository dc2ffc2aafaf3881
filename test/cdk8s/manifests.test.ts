import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetDefaults, defaultConfig, type StackConfig } from '../../src/k8s/config.ts';
import { QUOTA } from '../../cdk8s/environment.ts';
import { buildApp } from '../../cdk8s/main.ts';
import { seedCommand } from '../../src/cli/commands/seed.ts';
import { verifyCommand } from '../../src/cli/commands/verify.ts';
import { cqlSettings } from '../../src/config/settings.ts';
import {
  chartCopy,
  containersOf,
  helmTemplate,
  HELM,
  kubeconform,
  kubeconformMissing,
  podOf,
  readManifests,
  type K8sObject,
  type PodSpec,
} from './support.ts';
import { skipReasonUnlessCi } from '../support/ci.ts';

const helmMissing = skipReasonUnlessCi(existsSync(HELM) ? null : 'missing .tools/bin/helm (run `make setup`)');
let config: StackConfig;
let out: string;
let jobs: K8sObject[];
let env: K8sObject[];
let stack: K8sObject[];
let chart: K8sObject[];

// The Jobs take their Service names from the rendered chart: without helm there is nothing to build.
beforeAll(async () => {
  if (helmMissing) return;
  config = defaultConfig({ chartDir: chartCopy() });
  out = mkdtempSync(join(tmpdir(), 'cdk8s-out-'));
  buildApp(config, out).synth();
  jobs = readManifests(join(out, 'jobs.k8s.yaml'));
  env = readManifests(join(out, 'environment.k8s.yaml'));
  stack = readManifests(join(out, 'stack.k8s.yaml'));
  chart = await helmTemplate(config.chartDir);
}, 120_000);

const job = (name: string) => jobs.find((o) => o.metadata.name === `agentstore-${name}`)!;

describe('cdk8s app: synth and parse', () => {
  it('writes the Jobs and the environment', ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    expect(jobs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Job/agentstore-seed',
      'Job/agentstore-verify',
      'Job/agentstore-partitions',
      'Job/agentstore-bench',
      'Job/agentstore-cdc-probe',
    ]);
    expect(env.map((o) => o.kind)).toEqual([
      'Namespace',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
      'ResourceQuota',
      'LimitRange',
    ]);
  });

  it('the stack is the environment, then the chart (through cdk8s Helm), then the Jobs', ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    expect(stack[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'agentstore' } });
    const names = (l: K8sObject[]) => l.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names(stack)).toEqual(expect.arrayContaining([...names(chart), ...names(jobs), ...names(env)]));
    expect(stack).toHaveLength(chart.length + jobs.length + env.length);
  });
});

describe("the Jobs are built from the CLI's own config", () => {
  it("dataset flags and defaults are the CLI's, and seed and verify get the same ones", ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    expect(datasetDefaults()).toEqual({
      seed: '42',
      sessions: '2000',
      accounts: '100',
      days: '30',
      'end-date': '2026-11-01',
    });
    const args = (n: string) => podOf(job(n)).spec.containers[0]!.args!;
    expect(args('seed')[0]).toBe('seed');
    expect(args('verify')[0]).toBe('verify');
    expect(args('seed').slice(1)).toEqual(args('verify').slice(1));
    // seed migrates its keyspace first (sh -c '... "$@"' passes the args through unchanged)
    expect(podOf(job('seed')).spec.containers[0]!.command).toEqual([
      'sh',
      '-c',
      'node /app/agentstore.mjs migrate && exec node /app/agentstore.mjs "$@"',
      'agentstore',
    ]);
    for (const [cmd, name] of [
      [seedCommand(), 'seed'],
      [verifyCommand(), 'verify'],
    ] as const) {
      const known = new Set(cmd.options.map((o) => o.long));
      for (const flag of args(name).filter((a) => a.startsWith('--')))
        expect(known.has(flag), `${name} ${flag}`).toBe(true);
    }
  });

  it('the environment variables are the ones the CLI reads', ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    const vars = Object.fromEntries(podOf(job('seed')).spec.containers[0]!.env!.map((e) => [e.name, e.value!]));
    expect(cqlSettings({}, vars)).toMatchObject({
      contactPoints: 'agentstore-scylladb-client.agentstore.svc:9042',
      keyspace: 'agentstore',
      dialect: 'scylla',
    });
  });

  it('every Job pod meets Pod Security "restricted"', ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    for (const o of jobs) {
      const { spec } = podOf(o);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true });
      for (const c of containersOf(spec)) {
        expect(c.securityContext, `${o.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
      }
    }
  });
});

describe('the Jobs agree with the chart (helm template)', () => {
  const migrate = () => chart.find((o) => o.kind === 'Job' && o.metadata.name === 'agentstore-migrate')!;

  it("same image as the chart's Jobs", ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    const images = new Set(containersOf(podOf(migrate()).spec).map((c) => c.image));
    for (const o of jobs)
      for (const c of containersOf(podOf(o).spec))
        expect(images.has(c.image), `${o.metadata.name}/${c.name}: ${c.image}`).toBe(true);
  });

  it("the CQL Service and port exist, and the CQL variables equal the migration Job's", ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    const mine = Object.fromEntries(podOf(job('verify')).spec.containers[0]!.env!.map((e) => [e.name, e.value]));
    const [host, port] = mine['AGENTSTORE_CQL']!.split(':');
    const svc = chart.find((o) => o.kind === 'Service' && o.metadata.name === host!.split('.')[0]);
    expect(svc, `Service ${host}`).toBeDefined();
    expect((svc!['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(Number(port));
    const theirs = Object.fromEntries(
      podOf(migrate())
        .spec.containers[0]!.env!.filter((e) => e.value !== undefined)
        .map((e) => [e.name, e.value]),
    );
    expect(mine).toEqual(theirs);
  });

  it('the bundle ConfigMap exists with the key the init container reads, unpacked the same way', ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    const cmName = podOf(job('seed')).spec.volumes!.find((v) => v.name === 'bundle')!.configMap!.name;
    const cm = chart.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName);
    expect(cm, `ConfigMap ${cmName}`).toBeDefined();
    expect(Object.keys(cm!['binaryData'] as object)).toEqual(['agentstore.mjs.br']);
    const unpack = (s: ReturnType<typeof podOf>['spec']) =>
      s.initContainers!.find((c) => c.name === 'unpack-cli')!.args;
    expect(unpack(podOf(job('seed')).spec)).toEqual(unpack(podOf(migrate()).spec));
  });

  it("the cdc-probe Job reads Redis exactly as the chart's test pod does, and the jobs-redis NetworkPolicy admits it", ({
    skip,
  }) => {
    if (helmMissing) skip(helmMissing);
    type Env = { name: string; value?: string; valueFrom?: unknown };
    const specOf = (o: K8sObject): PodSpec => (o.kind === 'Pod' ? (o['spec'] as PodSpec) : podOf(o).spec);
    const redisVars = (o: K8sObject) =>
      Object.fromEntries(
        (specOf(o).containers[0]!.env as Env[])
          .filter((e) => e.name.startsWith('AGENTSTORE_REDIS'))
          .map((e) => [e.name, e.value ?? e.valueFrom]),
      );
    const testPod = chart.find((o) => o.kind === 'Pod' && o.metadata.name === 'agentstore-test')!;
    const mine = redisVars(job('cdc-probe'));
    expect(Object.keys(mine).sort()).toEqual([
      'AGENTSTORE_REDIS',
      'AGENTSTORE_REDIS_PASSWORD',
      'AGENTSTORE_REDIS_PREFIX',
    ]);
    expect(mine).toEqual(redisVars(testPod));
    const [host, port] = (mine['AGENTSTORE_REDIS'] as string).replace('redis://', '').split(':');
    const svc = chart.find((o) => o.kind === 'Service' && o.metadata.name === host!.split('.')[0]);
    expect((svc!['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(Number(port));
    // It writes to the keyspace the connector captures, as the test pod's probe does.
    const keyspace = (o: K8sObject) =>
      (specOf(o).containers[0]!.env as Env[]).find((e) => e.name === 'AGENTSTORE_KEYSPACE')!.value;
    expect(keyspace(job('cdc-probe'))).toBe(keyspace(testPod));
    const np = chart.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'agentstore-jobs-redis')!;
    expect(podOf(job('cdc-probe')).labels).toMatchObject(
      (np['spec'] as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels,
    );
    expect(podOf(job('seed')).labels['agentstore.io/redis-client']).toBeUndefined();
  });

  it("the Job pods carry the labels the chart's jobs NetworkPolicy selects", ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    const np = chart.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'agentstore-jobs')!;
    const want = (np['spec'] as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels;
    for (const o of jobs) expect(podOf(o).labels).toMatchObject(want);
  });
});

describe('environment for kind/k3s', () => {
  it('Namespace enforces Pod Security baseline and warns on restricted; default deny in both directions; a quota', ({
    skip,
  }) => {
    if (helmMissing) skip(helmMissing);
    expect(env[0]!.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const deny = env.find((o) => o.metadata.name === 'default-deny')!;
    expect(deny['spec']).toEqual({ podSelector: {}, policyTypes: ['Egress', 'Ingress'] });
    expect((env.find((o) => o.kind === 'ResourceQuota')!['spec'] as { hard: object }).hard).toEqual(QUOTA);
  });

  it('every pod of the chart is admitted by the enforced level, Pod Security "baseline"', ({ skip }) => {
    if (helmMissing) skip(helmMissing);
    const allowedCaps = new Set([
      'AUDIT_WRITE',
      'CHOWN',
      'DAC_OVERRIDE',
      'FOWNER',
      'FSETID',
      'KILL',
      'MKNOD',
      'NET_BIND_SERVICE',
      'SETFCAP',
      'SETGID',
      'SETPCAP',
      'SETUID',
      'SYS_CHROOT',
    ]);
    const problems: string[] = [];
    for (const o of chart.filter((x) => ['StatefulSet', 'Deployment', 'Job', 'Pod'].includes(x.kind))) {
      const spec = (
        o.kind === 'Pod' ? o['spec'] : (o['spec'] as { template: { spec: unknown } }).template.spec
      ) as PodSpec & Record<string, unknown>;
      const id = `${o.kind}/${o.metadata.name}`;
      for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[f]) problems.push(`${id}: ${f}`);
      for (const v of (spec.volumes ?? []) as Record<string, unknown>[])
        if (v['hostPath']) problems.push(`${id}: hostPath volume`);
      for (const c of containersOf(spec)) {
        const sc = (c.securityContext ?? {}) as { privileged?: boolean; capabilities?: { add?: string[] } };
        if (sc.privileged) problems.push(`${id}/${c.name}: privileged`);
        for (const cap of sc.capabilities?.add ?? [])
          if (!allowedCaps.has(cap)) problems.push(`${id}/${c.name}: adds ${cap}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('strict schema validation (kubeconform, Kubernetes 1.33)', () => {
  for (const file of ['jobs', 'environment', 'stack']) {
    it(`${file}.k8s.yaml is valid`, async ({ skip }) => {
      const missing = kubeconformMissing() ?? (file === 'stack' ? helmMissing : null);
      if (missing) skip(missing);
      expect(await kubeconform(readFileSync(join(out, `${file}.k8s.yaml`), 'utf8'))).toEqual([]);
    });
  }
});
