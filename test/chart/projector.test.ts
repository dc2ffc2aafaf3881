/**
 * The projector in the umbrella chart: what it runs, how it reaches Kafka and Redis, the custom-image
 * switch, and the test pod's CDC check. The generic suite (agentstore.test.ts) already lints,
 * validates and wire-checks every values file; these pin the projector's own contract.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helmTemplate, render, type K8sObject } from './support/render.ts';
import { ROOT, missingTools } from './support/tools.ts';

const CHART = 'charts/agentstore';
const why = missingTools();

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}
interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string }[];
}

const find = (objects: K8sObject[], kind: string, suffix: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name.endsWith(suffix));
const podSpec = (o: K8sObject): PodSpec =>
  (o.kind === 'Pod' ? o['spec'] : (o['spec'] as { template: { spec: unknown } }).template.spec) as PodSpec;
const envOf = (c: Container): Record<string, string> =>
  Object.fromEntries(
    (c.env ?? []).map((e) => [
      e.name,
      e.value ?? `secret:${e.valueFrom?.secretKeyRef?.name}/${e.valueFrom?.secretKeyRef?.key}`,
    ]),
  );

describe.skipIf(why !== null)(`projector in charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it('runs `agentstore project` from the chart bundle on the public Node image, reaching Kafka and Redis of the release', async () => {
    const { objects } = await render('helm4', { chart: CHART, release: 'rel', namespace: 'ns' });
    const deploy = find(objects, 'Deployment', '-projector');
    expect(deploy).toBeDefined();
    const spec = podSpec(deploy!);
    expect(spec.initContainers?.map((c) => c.name)).toEqual(['unpack-cli']);
    const [main] = spec.containers;
    expect(main!.image).toMatch(/^docker\.io\/library\/node:24\./);
    expect(main!.command).toEqual(['node', '/app/agentstore.mjs', 'project']);
    expect(envOf(main!)).toMatchObject({
      AGENTSTORE_KAFKA: 'rel-agentstore-kafka.ns.svc:9092',
      AGENTSTORE_REDIS: 'redis://rel-agentstore-redis.ns.svc:6379',
      AGENTSTORE_REDIS_PASSWORD: 'secret:rel-agentstore-redis-auth/password',
      AGENTSTORE_TOPIC_PREFIX: 'agentstore',
      AGENTSTORE_KEYSPACE: 'agentstore',
    });
    // The NetworkPolicies of Kafka and Redis admit pods by these labels.
    const labels = (deploy!['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
      .labels;
    expect(labels).toMatchObject({ 'agentstore.io/kafka-client': 'true', 'agentstore.io/redis-client': 'true' });
    expect(find(objects, 'Service', '-projector-metrics')).toBeDefined();
    expect(find(objects, 'ConfigMap', '-cli')).toBeDefined();
  });

  it('with your own image: no bundle, your image, and a missing tag is refused by name', async () => {
    const { objects } = await render('helm4', {
      chart: CHART,
      set: ['projector.image.repository=acme/agentstore-projector', 'projector.image.tag=1.2.3'],
    });
    const spec = podSpec(find(objects, 'Deployment', '-projector')!);
    expect(spec.initContainers).toBeUndefined();
    expect(spec.volumes?.map((v) => v.name)).toEqual(['tmp']);
    expect(spec.containers[0]!.image).toBe('docker.io/acme/agentstore-projector:1.2.3');
    const noTag = await helmTemplate('helm4', {
      chart: CHART,
      set: ['projector.image.repository=acme/agentstore-projector'],
    });
    expect(noTag.code).not.toBe(0);
    expect(noTag.stderr).toContain('projector.image.tag');
  });

  it('follows global.externalKafka, in its env and its NetworkPolicy', async () => {
    const { objects } = await render('helm4', {
      chart: CHART,
      set: ['kafka.enabled=false', 'global.externalKafka.bootstrapServers=broker-1.example:9094'],
    });
    expect(envOf(podSpec(find(objects, 'Deployment', '-projector')!).containers[0]!).AGENTSTORE_KAFKA).toBe(
      'broker-1.example:9094',
    );
    const policy = find(objects, 'NetworkPolicy', '-projector')!;
    expect(JSON.stringify(policy['spec'])).toContain('"port":9094');
  });

  it('needs Redis: redis.enabled=false with the projector on fails naming redis.enabled', async () => {
    const r = await helmTemplate('helm4', { chart: CHART, set: ['redis.enabled=false'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'projector.enabled: the projector writes the read models to the bundled Redis, so it needs redis.enabled=true',
    );
    const off = await render('helm4', { chart: CHART, set: ['redis.enabled=false', 'projector.enabled=false'] });
    expect(find(off.objects, 'Deployment', '-projector')).toBeUndefined();
  });

  it('the test pod runs the CDC check only when the whole CDC path is deployed', async () => {
    const on = await render('helm4', { chart: CHART });
    const test = find(on.objects, 'Pod', '-test')!;
    expect(envOf(podSpec(test).containers[0]!)).toMatchObject({
      CDC_PROBE_WRITES: '20',
      CDC_PROBE_TIMEOUT: '180',
      AGENTSTORE_REDIS_PASSWORD: expect.stringMatching(/^secret:/),
    });
    expect(test.metadata.labels?.['agentstore.io/redis-client']).toBe('true');
    expect(find(on.objects, 'NetworkPolicy', '-jobs-redis')).toBeDefined();
    const off = await render('helm4', { chart: CHART, set: ['projector.enabled=false'] });
    const env = envOf(podSpec(find(off.objects, 'Pod', '-test')!).containers[0]!);
    expect(env.CDC_PROBE_WRITES).toBeUndefined();
    expect(find(off.objects, 'Pod', '-test')!.metadata.labels?.['agentstore.io/redis-client']).toBeUndefined();
  });
});

describe('src/projector/Dockerfile (no Docker here: checked as text against the chart)', () => {
  const dockerfile = readFileSync(join(ROOT, 'src/projector/Dockerfile'), 'utf8');
  const values = parse(readFileSync(join(ROOT, CHART, 'values.yaml'), 'utf8')) as {
    jobs: { image: { registry: string; repository: string; tag: string } };
  };

  it('builds on the image the chart runs the bundle on', () => {
    const { registry, repository, tag } = values.jobs.image;
    expect(dockerfile).toMatch(new RegExp(`^FROM ${`${registry}/${repository}:${tag}`.replace(/[.]/g, '\\.')}$`, 'm'));
  });

  it('copies a file that exists and runs the command the chart runs', () => {
    const copied = /^COPY (\S+) /m.exec(dockerfile)?.[1];
    expect(copied && existsSync(join(ROOT, copied))).toBe(true);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/agentstore.mjs"]');
    expect(dockerfile).toContain('CMD ["project"]');
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
