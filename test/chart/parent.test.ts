/**
 * agentstore as a dependency of another chart, under the alias "datalayer", next to a sibling
 * dependency named like one of its own subcharts (redis), with another release name and namespace:
 * it must still lint, validate and be wired, and no object may collide with the sibling's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parentChartForSuite } from './support/parent.ts';
import { kubeconform, render, type K8sObject } from './support/render.ts';
import { HELM, K8S_VERSION, missingTools, run, type HelmName } from './support/tools.ts';
import { wiringFindings } from './support/wiring.ts';

const RELEASE = 'shop';
const NAMESPACE = 'apps-prod';
const why = missingTools();
const key = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

describe.skipIf(why !== null)(`parent chart with agentstore as "datalayer"${why ? ` (skipped: ${why})` : ''}`, () => {
  const parent = parentChartForSuite();

  it.each(['helm4', 'helm3'] as HelmName[])('%s lint --strict passes', async (helm) => {
    const r = await run(HELM[helm], [
      'lint',
      '--strict',
      parent.dir,
      '--namespace',
      NAMESPACE,
      '--kube-version',
      K8S_VERSION,
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  describe.each(['helm4', 'helm3'] as HelmName[])('%s template', (helm) => {
    let text = '';
    let objects: K8sObject[] = [];
    beforeAll(async () => {
      ({ text, objects } = await render(helm, { chart: parent.dir, release: RELEASE, namespace: NAMESPACE }));
    });

    it('renders both dependencies', () => {
      expect(objects.some((o) => o.source?.startsWith('parent/charts/datalayer/'))).toBe(true);
      expect(objects.some((o) => o.source?.startsWith('parent/charts/redis/'))).toBe(true);
    });
    it('passes kubeconform -strict', async () => {
      expect(await kubeconform(text)).toEqual([]);
    });
    it('is wired, with no duplicate names and only the release namespace', () => {
      expect(wiringFindings(objects, { namespace: NAMESPACE })).toEqual([]);
    });
    it('gives datalayer objects names the sibling redis chart does not use', () => {
      const sibling = new Set(objects.filter((o) => o.source?.startsWith('parent/charts/redis/')).map(key));
      const clashes = objects
        .filter((o) => o.source?.startsWith('parent/charts/datalayer/') && sibling.has(key(o)))
        .map(key);
      expect(clashes).toEqual([]);
    });
  });
});
