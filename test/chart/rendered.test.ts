/**
 * What charts/agentstore renders, case by case, kept as text in __snapshots__/rendered/: the defaults,
 * every values/*.yaml, the longest release name Helm allows, and agentstore inside a parent chart.
 * A template change that alters what Kubernetes receives fails here until the snapshot is updated
 * (`npx vitest run test/chart/rendered.test.ts -u`), so the change is reviewed as a diff of the
 * rendered objects; a refactoring must leave these files unchanged. Helm 3 must render the same.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parentChartForSuite } from './support/parent.ts';
import { render, type K8sObject, type RenderOptions } from './support/render.ts';
import { snapshotText } from './support/snapshot.ts';
import { ROOT, missingTools, type HelmName } from './support/tools.ts';

const CHART = join(ROOT, 'charts/agentstore');
const LONGEST_RELEASE = 'payments-platform-production-europe-west1-blue-green'.padEnd(53, 'x');

interface Case {
  id: string;
  options: (parentDir: string) => RenderOptions;
  /** Only these objects are kept (e.g. agentstore's inside a parent chart). */
  keep?: (o: K8sObject) => boolean;
}

const valuesFiles = readdirSync(join(ROOT, 'values'))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const CASES: Case[] = [
  { id: 'defaults', options: () => ({ chart: CHART, release: 'agentstore', namespace: 'agentstore' }) },
  ...valuesFiles.map((f) => ({
    id: `values-${f.replace(/\.ya?ml$/, '')}`,
    options: () => ({
      chart: CHART,
      release: 'agentstore',
      namespace: 'agentstore',
      valuesFiles: [join(ROOT, 'values', f)],
    }),
  })),
  {
    id: 'release-name-53-chars',
    options: () => ({ chart: CHART, release: LONGEST_RELEASE, namespace: 'payments' }),
  },
  {
    id: 'parent-chart-datalayer',
    options: (dir) => ({ chart: dir, release: 'shop', namespace: 'apps-prod' }),
    keep: (o) => o.source?.startsWith('parent/charts/datalayer/') ?? false,
  },
];

const why = missingTools();

describe.skipIf(why !== null)(`rendered objects of charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  const parent = parentChartForSuite();

  it('uses a release name of exactly Helm’s maximum length (53)', () => {
    expect(LONGEST_RELEASE).toHaveLength(53);
  });

  it.each(CASES)('$id: the same as its snapshot, under Helm 4 and Helm 3', async (c) => {
    const text = async (helm: HelmName): Promise<string> => {
      const { objects } = await render(helm, c.options(parent.dir));
      return snapshotText(c.keep ? objects.filter(c.keep) : objects);
    };
    const helm4 = await text('helm4');
    expect(helm4.length).toBeGreaterThan(0);
    await expect(helm4).toMatchFileSnapshot(join(import.meta.dirname, '__snapshots__/rendered', `${c.id}.yaml`));
    expect(await text('helm3')).toEqual(helm4);
  });

  it('keeps no snapshot of a case that no longer exists', () => {
    const dir = join(import.meta.dirname, '__snapshots__/rendered');
    const files = existsSync(dir) ? readdirSync(dir).sort() : [];
    expect(files).toEqual(CASES.map((c) => `${c.id}.yaml`).sort());
  });
});
