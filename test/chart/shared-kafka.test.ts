/**
 * Two releases on one external Kafka (values/external-kafka.yaml): in one namespace, in two namespaces
 * under the same release name, and as two parent-chart releases. Every name a release creates on
 * Kafka (the CDC topic prefix, the projector's consumer group, Connect's group and internal topics)
 * differs, so neither reads or writes the other's data; on the bundled broker the names stay short.
 * A user who forces the same names on both gets releases that claim the same ConfigMap, which Helm
 * refuses to install twice (and, on a cluster, _validate.tpl names the other release first).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parentChartForSuite } from './support/parent.ts';
import { containersOf, podTemplates } from './support/pods.ts';
import { kubeconform, render, type K8sObject } from './support/render.ts';
import { ROOT, missingTools, type HelmName } from './support/tools.ts';
import { wiringFindings } from './support/wiring.ts';

const CHART = 'charts/agentstore';
const EXTERNAL = join(ROOT, 'values/external-kafka.yaml');
const why = missingTools();
const HELMS: HelmName[] = ['helm4', 'helm3'];

interface Release {
  release: string;
  namespace: string;
  chart?: string;
  set?: string[];
}

/** Everything a release names on Kafka, read from what it renders. */
function kafkaNames(objects: K8sObject[]): Record<string, string> {
  const env = (component: string): Record<string, string> => {
    const pod = podTemplates(objects).find((p) => p.owner.endsWith(`-${component}`));
    return Object.fromEntries(
      containersOf(pod?.spec ?? {})
        .flatMap((c) => c.env ?? [])
        .map((e) => [e.name, e.value ?? '']),
    );
  };
  const worker = objects.find((o) => o.kind === 'ConfigMap' && o.source?.endsWith('connect/templates/configmap.yaml'));
  const props = Object.fromEntries(
    String((worker?.['data'] as Record<string, string> | undefined)?.['worker.properties'] ?? '')
      .split('\n')
      .map((l) => l.trim().split('=') as [string, string]),
  );
  const connector = JSON.parse(env('register-connector')['AGENTSTORE_CONNECTOR_CONFIG'] ?? '{}') as Record<
    string,
    string
  >;
  return {
    'CDC topic prefix (connector)': connector['topic.prefix'] ?? '',
    'CDC topic prefix (projector)': env('projector')['AGENTSTORE_TOPIC_PREFIX'] ?? '',
    'projector consumer group': env('projector')['AGENTSTORE_CONSUMER_GROUP'] ?? '',
    'Connect group.id': props['group.id'] ?? '',
    'Connect config topic': props['config.storage.topic'] ?? '',
    'Connect offset topic': props['offset.storage.topic'] ?? '',
    'Connect status topic': props['status.storage.topic'] ?? '',
  };
}

const names = async (
  r: Release,
  helm: HelmName = 'helm4',
): Promise<{ kafka: Record<string, string>; objects: K8sObject[]; text: string }> => {
  const { objects, text } = await render(helm, {
    chart: r.chart ?? CHART,
    release: r.release,
    namespace: r.namespace,
    valuesFiles: r.chart ? [] : [EXTERNAL],
    set: r.set,
  });
  return { kafka: kafkaNames(objects), objects, text };
};

describe.skipIf(why !== null)(`two releases on one external Kafka${why ? ` (skipped: ${why})` : ''}`, () => {
  const parent = parentChartForSuite({
    values: {
      global: { externalKafka: { bootstrapServers: 'kafka-0.kafka.messaging.svc:9092' } },
      datalayer: { kafka: { enabled: false } },
    },
  });

  const pairs: [string, () => [Release, Release]][] = [
    [
      'one namespace',
      () => [
        { release: 'shop', namespace: 'apps' },
        { release: 'billing', namespace: 'apps' },
      ],
    ],
    [
      'the same release name in two namespaces',
      () => [
        { release: 'agentstore', namespace: 'team-a' },
        { release: 'agentstore', namespace: 'team-b' },
      ],
    ],
    [
      'two parent-chart releases in one namespace',
      () => [
        { release: 'shop', namespace: 'apps', chart: parent.dir },
        { release: 'shop-canary', namespace: 'apps', chart: parent.dir },
      ],
    ],
  ];

  it.each(pairs.flatMap(([name, pair]) => HELMS.map((helm) => ({ name, pair, helm }))))(
    '$helm, $name: no name on Kafka in common, none empty; each passes kubeconform and the wiring checks',
    async ({ pair, helm }) => {
      const [a, b] = await Promise.all(pair().map((r) => names(r, helm)));
      for (const [r, rendered] of [
        [pair()[0], a!],
        [pair()[1], b!],
      ] as const) {
        expect(await kubeconform(rendered.text)).toEqual([]);
        expect(
          wiringFindings(rendered.objects, {
            namespace: r.namespace,
            externalHosts: [
              'kafka-0.kafka.messaging.svc:9092',
              'kafka-1.kafka.messaging.svc:9092',
              'kafka-2.kafka.messaging.svc:9092',
            ],
          }),
        ).toEqual([]);
      }
      for (const [what, value] of Object.entries(a!.kafka)) {
        expect(value, `${what} of ${pair()[0].release}`).not.toBe('');
        expect(Object.values(b!.kafka), `${what} ${value} is used by both releases`).not.toContain(value);
      }
      expect(a!.kafka['CDC topic prefix (connector)']).toBe(a!.kafka['CDC topic prefix (projector)']);
    },
  );

  it('derives them from the namespace and the release, and keeps the short names on the bundled broker', async () => {
    expect((await names({ release: 'shop', namespace: 'apps' })).kafka).toEqual({
      'CDC topic prefix (connector)': 'apps_shop',
      'CDC topic prefix (projector)': 'apps_shop',
      'projector consumer group': 'apps_shop.projector',
      'Connect group.id': 'apps_shop.connect',
      'Connect config topic': 'apps_shop.connect-configs',
      'Connect offset topic': 'apps_shop.connect-offsets',
      'Connect status topic': 'apps_shop.connect-status',
    });
    const { objects } = await render('helm4', { chart: CHART, release: 'shop', namespace: 'apps' });
    expect(kafkaNames(objects)).toEqual({
      'CDC topic prefix (connector)': 'agentstore',
      'CDC topic prefix (projector)': 'agentstore',
      'projector consumer group': 'agentstore-projector',
      'Connect group.id': 'shop-agentstore-connect',
      'Connect config topic': 'shop-agentstore-connect-configs',
      'Connect offset topic': 'shop-agentstore-connect-offsets',
      'Connect status topic': 'shop-agentstore-connect-status',
    });
  });

  it('forced onto the same topics and group, two releases claim the same ConfigMaps (Helm installs only one)', async () => {
    const forced = ['connector.topicPrefix=shared', 'projector.consumerGroup=shared-projector'];
    const claims = async (release: string): Promise<string[]> =>
      (await names({ release, namespace: 'apps', set: forced })).objects
        .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.['agentstore.io/kafka-claim'])
        .map((o) => `${o.metadata.labels?.['agentstore.io/kafka-claim']} ${o.metadata.name}`)
        .sort();
    const shop = await claims('shop');
    expect(shop.map((c) => c.split(' ')[0])).toEqual(['consumer-group', 'topic-prefix']);
    expect(await claims('billing')).toEqual(shop);
    const unforced = (await names({ release: 'shop', namespace: 'apps' })).objects.filter(
      (o) => o.metadata.labels?.['agentstore.io/kafka-claim'],
    );
    expect(unforced.map((o) => o.metadata.name)).not.toEqual(expect.arrayContaining(shop.map((c) => c.split(' ')[1])));
  });
});
