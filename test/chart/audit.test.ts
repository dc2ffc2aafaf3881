/** The scheduled audit in the projector's wiring: off by default; on, a CronJob of the Jobs' kind that reads CQL and Redis. */
import { describe, expect, it } from 'vitest';
import { helmTemplate, render, type K8sObject } from './support/render.ts';
import { missingTools } from './support/tools.ts';

const CHART = 'charts/agentstore';
const why = missingTools();

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string }[];
}
interface CronJob {
  schedule: string;
  concurrencyPolicy: string;
  jobTemplate: {
    spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } };
  };
}
const named = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe.skipIf(why !== null)(`audit CronJob in charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it('is off by default', async () => {
    const { objects } = await render('helm4', { chart: CHART, release: 'rel', namespace: 'ns' });
    expect(objects.filter((o) => o.kind === 'CronJob')).toEqual([]);
  });

  it('on: runs `agentstore audit` from the bundle with CQL and Redis settings, one run at a time, allowed to reach CQL and Redis', async () => {
    const { objects } = await render('helm4', {
      chart: CHART,
      release: 'rel',
      namespace: 'ns',
      set: [
        'projector.audit.enabled=true',
        'projector.audit.schedule=*/30 * * * *',
        'projector.audit.sessions=20',
        'projector.audit.pushgateway.url=http://pushgateway.monitoring.svc:9091',
      ],
    });
    const cron = named(objects, 'CronJob', 'rel-agentstore-audit');
    expect(cron).toBeDefined();
    const spec = cron!['spec'] as CronJob;
    expect(spec.schedule).toBe('*/30 * * * *');
    expect(spec.concurrencyPolicy).toBe('Forbid');
    const pod = spec.jobTemplate.spec.template;
    const [main] = pod.spec.containers;
    expect(main!.command).toEqual([
      'node',
      '/app/agentstore.mjs',
      'audit',
      '--sessions=20',
      '--accounts=10',
      '--days=7',
      '--recheck-seconds=5',
      '--pushgateway=http://pushgateway.monitoring.svc:9091',
    ]);
    const env = Object.fromEntries((main!.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      AGENTSTORE_KEYSPACE: 'agentstore',
      AGENTSTORE_REDIS: 'redis://rel-agentstore-redis.ns.svc:6379',
      AGENTSTORE_REDIS_PREFIX: 'agentstore',
    });
    expect(env['AGENTSTORE_CQL']).toBeDefined();
    // The Jobs' NetworkPolicies (CQL; Redis for redis clients) select it by these labels.
    expect(pod.metadata.labels).toMatchObject({
      'agentstore.io/jobs': 'true',
      'agentstore.io/redis-client': 'true',
      'agentstore.io/scylladb-client': 'true',
    });
    const push = named(objects, 'NetworkPolicy', 'rel-agentstore-audit-push');
    expect(JSON.stringify(push?.['spec'])).toContain('"port":9091');
  });

  it('a bad schedule or sample size is refused by the schema, naming the value', async () => {
    for (const [set, name] of [
      ['projector.audit.schedule=hourly', 'schedule'],
      ['projector.audit.sessions=0', 'sessions'],
    ] as const) {
      const r = await helmTemplate('helm4', { chart: CHART, set: ['projector.audit.enabled=true', set] });
      expect(r.code, set).not.toBe(0);
      expect(r.stderr).toContain(name);
    }
  });
});
