/**
 * The ways parent charts embed a dependency, each rendered with Helm 4 and Helm 3: a `condition`, `tags`,
 * an alias, globals that belong to the parent's other subcharts (Helm validates agentstore's schema
 * against the coalesced values, parent globals included). agentstore's objects are rendered, or left
 * out, as the parent says; rendered ones pass kubeconform and the wiring checks; and agentstore's own
 * global keys stay strict. Then release names of 40 and more characters, and two such releases of the
 * parent in one namespace: no name in common, none with the parent's own redis.
 */
import { describe, expect, it } from 'vitest';
import { assembleParentChart, parentChartForSuite, type ParentOptions } from './support/parent.ts';
import { helmTemplate, kubeconform, parseManifests, render, type K8sObject } from './support/render.ts';
import { missingTools, type HelmName } from './support/tools.ts';
import { wiringFindings } from './support/wiring.ts';

const why = missingTools();
const NAMESPACE = 'apps';

interface Pattern {
  name: string;
  parent: ParentOptions;
  /** agentstore's objects are rendered, left out, or the render fails naming this. */
  expect: 'rendered' | 'left out' | { fails: string };
}

const condition = (enabled: boolean): ParentOptions => ({
  dependency: { condition: 'agentstore.enabled' },
  values: { agentstore: { enabled } },
});
const tags = (datastore: boolean): ParentOptions => ({
  dependency: { tags: ['datastore'] },
  values: { tags: { datastore } },
});

const PATTERNS: Pattern[] = [
  { name: 'condition agentstore.enabled=true', parent: condition(true), expect: 'rendered' },
  { name: 'condition agentstore.enabled=false', parent: condition(false), expect: 'left out' },
  { name: 'tags datastore=true', parent: tags(true), expect: 'rendered' },
  { name: 'tags datastore=false', parent: tags(false), expect: 'left out' },
  {
    name: 'globals of the parent’s other subcharts (Bitnami’s)',
    parent: {
      values: {
        global: {
          storageClass: 'fast-ssd',
          security: { allowInsecureImages: true },
          compatibility: { openshift: { adaptSecurityContext: 'auto' } },
        },
        datalayer: {},
      },
    },
    expect: 'rendered',
  },
  {
    name: 'a typo in a global key agentstore owns',
    parent: { values: { global: { externalKafka: { bootstrapServer: 'k:9092' } }, datalayer: {} } },
    expect: { fails: 'bootstrapServer' },
  },
  {
    name: 'a bad value of a global key agentstore owns',
    parent: { values: { global: { keyspace: 'Not-A-Keyspace' }, datalayer: {} } },
    expect: { fails: 'keyspace' },
  },
];

describe.skipIf(why !== null)(`agentstore in parent charts${why ? ` (skipped: ${why})` : ''}`, () => {
  describe.each(PATTERNS)('$name', (p) => {
    it.each(['helm4', 'helm3'] as HelmName[])('%s', async (helm) => {
      const { dir, cleanup } = await assembleParentChart(p.parent);
      try {
        const r = await helmTemplate(helm, { chart: dir, release: 'shop', namespace: NAMESPACE });
        if (typeof p.expect === 'object') {
          expect(r.code, 'helm accepted it').not.toBe(0);
          expect(r.stderr).toContain(p.expect.fails);
          return;
        }
        expect(r.code, r.stderr).toBe(0);
        const objects = parseManifests(r.stdout);
        const key = p.parent.dependency ? (p.parent.dependency.alias ?? 'agentstore') : 'datalayer';
        const own = objects.filter((o) => o.source?.startsWith(`parent/charts/${key}/`));
        if (p.expect === 'left out') {
          expect(own).toEqual([]);
          return;
        }
        expect(own.map((o) => o.kind)).toEqual(expect.arrayContaining(['StatefulSet', 'Deployment', 'Job']));
        expect(await kubeconform(r.stdout)).toEqual([]);
        expect(wiringFindings(objects, { namespace: NAMESPACE })).toEqual([]);
      } finally {
        await cleanup();
      }
    });
  });

  describe('long release names, two releases in one namespace', () => {
    const RELEASES = ['payments-platform-production-europe-west1', 'payments-platform-production-europe-west2'];
    const parent = parentChartForSuite();
    const key = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

    it.each(['helm4', 'helm3'] as HelmName[])('%s', async (helm) => {
      const renders = await Promise.all(
        RELEASES.map((release) => render(helm, { chart: parent.dir, release, namespace: NAMESPACE })),
      );
      for (const { text, objects } of renders) {
        expect(await kubeconform(text)).toEqual([]);
        expect(wiringFindings(objects, { namespace: NAMESPACE })).toEqual([]);
        const sibling = new Set(objects.filter((o) => o.source?.startsWith('parent/charts/redis/')).map(key));
        expect(
          objects.filter((o) => o.source?.startsWith('parent/charts/datalayer/') && sibling.has(key(o))).map(key),
        ).toEqual([]);
      }
      const [one, two] = renders.map((r) =>
        r.objects.filter((o) => o.source?.startsWith('parent/charts/datalayer/')).map(key),
      );
      expect(one!.length).toBeGreaterThan(20);
      expect(one!.filter((k) => two!.includes(k))).toEqual([]);
    });
  });
});
