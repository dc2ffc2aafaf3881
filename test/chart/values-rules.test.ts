/**
 * The rules that tie one value to another or to the cluster (charts/agentstore/templates/_validate.tpl):
 * each broken rule fails the render with a line naming the value and the fix, every broken rule is
 * reported at once, and they hold when agentstore is a subchart too.
 */
import { describe, expect, it } from 'vitest';
import { parentChartForSuite } from './support/parent.ts';
import { helmTemplate } from './support/render.ts';
import { HELM, missingTools, run, type HelmName } from './support/tools.ts';

const CHART = 'charts/agentstore';
const why = missingTools();
const HELMS: HelmName[] = ['helm4', 'helm3'];

interface Rule {
  name: string;
  set: string[];
  /** Helm's render must not use the cluster's ServiceMonitor API (the ServiceMonitor rules). */
  withoutServiceMonitorApi?: boolean;
  message: string;
}

const RULES: Rule[] = [
  {
    name: 'no Kafka at all',
    set: ['kafka.enabled=false'],
    message: '- kafka.enabled=false: set global.externalKafka.bootstrapServers to your Kafka',
  },
  {
    name: 'an external Kafka next to the bundled one',
    set: ['global.externalKafka.bootstrapServers=k.example:9092'],
    message: '- global.externalKafka.bootstrapServers is set while kafka.enabled=true: set kafka.enabled=false',
  },
  {
    name: 'the projector without Redis',
    set: ['redis.enabled=false'],
    message:
      '- projector.enabled: the projector writes the read models to the bundled Redis, so it needs redis.enabled=true',
  },
  {
    name: 'your projector image without a tag',
    set: ['projector.image.repository=acme/projector'],
    message: '- projector.image.tag: set the tag of your projector image (projector.image.repository is set)',
  },
  {
    name: 'the helm test keyspace is the release keyspace',
    set: ['tests.keyspace=agentstore'],
    message:
      '- tests.keyspace: "agentstore" is global.keyspace, where helm test\'s seed rows would land among your data',
  },
  {
    name: 'a projector ServiceMonitor without the CRD',
    set: ['projector.serviceMonitor.enabled=true'],
    withoutServiceMonitorApi: true,
    message: '- projector.serviceMonitor.enabled: the cluster has no monitoring.coreos.com/v1 ServiceMonitor',
  },
  {
    name: 'a connector supervisor ServiceMonitor without the CRD',
    set: ['connector.supervisor.serviceMonitor.enabled=true'],
    withoutServiceMonitorApi: true,
    message:
      '- connector.supervisor.serviceMonitor.enabled: the cluster has no monitoring.coreos.com/v1 ServiceMonitor',
  },
  {
    name: 'a ScyllaDB ServiceMonitor without the CRD',
    set: ['scylladb.serviceMonitor.enabled=true'],
    withoutServiceMonitorApi: true,
    message: '- scylladb.serviceMonitor.enabled: the cluster has no monitoring.coreos.com/v1 ServiceMonitor',
  },
];

/** helm template as for a 1.33 cluster, with or without the prometheus-operator's API. */
const template = (helm: HelmName, chart: string, set: string[], serviceMonitorApi = true) =>
  serviceMonitorApi
    ? helmTemplate(helm, { chart, set })
    : run(HELM[helm], ['template', 'rel', chart, '--kube-version', '1.33.13', ...set.flatMap((s) => ['--set', s])]);

describe.skipIf(why !== null)(`cross-field value rules of charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(HELMS.flatMap((helm) => RULES.map((r) => ({ ...r, helm }))))(
    '$helm: $name fails naming the value and the fix',
    async (r) => {
      const res = await template(r.helm, CHART, r.set, !r.withoutServiceMonitorApi);
      expect(res.code, 'helm accepted it').not.toBe(0);
      expect(res.stderr).toContain('agentstore values:');
      expect(res.stderr).toContain(r.message);
    },
  );

  it.each(HELMS)('%s: the defaults break no rule, and every broken rule is reported at once', async (helm) => {
    expect((await template(helm, CHART, [])).code).toBe(0);
    const all = await template(
      helm,
      CHART,
      RULES.flatMap((r) => r.set).filter((s) => !s.startsWith('global.externalKafka')),
      false,
    );
    expect(all.code).not.toBe(0);
    for (const r of RULES.filter((x) => !x.set[0]!.startsWith('global.externalKafka'))) {
      expect(all.stderr).toContain(r.message);
    }
  });

  describe('as a subchart', () => {
    const parent = parentChartForSuite();
    it.each(HELMS)('%s: a broken rule under the alias fails the parent render', async (helm) => {
      const res = await template(helm, parent.dir, ['datalayer.redis.enabled=false']);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('projector.enabled: the projector writes the read models to the bundled Redis');
    });
  });
});
