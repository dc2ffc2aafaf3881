/**
 * One Node.js in every pod of the chart that runs JavaScript: the Jobs, the test pod, the projector, the
 * connector supervisor and Connect's jar downloader all use the jobs.image tag, a Node.js 24 LTS
 * image pinned to a full version (the tag exists in nodejs/docker-node: README.md of the chart).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartNodeVersion } from '../../scripts/setup/node.ts';
import { render, type K8sObject } from './support/render.ts';
import { ROOT, missingTools } from './support/tools.ts';

const why = missingTools();

const images = (objects: K8sObject[]): { where: string; image: string }[] =>
  objects.flatMap((o) => {
    const spec = (o.kind === 'Pod' ? o['spec'] : (o['spec'] as { template?: { spec?: unknown } })?.template?.spec) as
      | { containers?: { name: string; image: string }[]; initContainers?: { name: string; image: string }[] }
      | undefined;
    return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => ({
      where: `${o.kind}/${o.metadata.name} ${c.name}`,
      image: c.image,
    }));
  });

describe.skipIf(why !== null)(`Node.js images of charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it('jobs.image is Node.js 24 LTS, pinned to a full version and an Alpine release', () => {
    const values = parse(readFileSync(join(ROOT, 'charts/agentstore/values.yaml'), 'utf8')) as {
      jobs: { image: { tag: string } };
    };
    expect(values.jobs.image.tag).toMatch(/^24\.\d+\.\d+-alpine3\.\d+$/);
    expect(chartNodeVersion()).toBe(values.jobs.image.tag.split('-')[0]);
  });

  it('every container that runs node uses that one image', async () => {
    const { objects } = await render('helm4', { chart: 'charts/agentstore', release: 'rel', namespace: 'ns' });
    const node = images(objects).filter((i) => /\/node:/.test(i.image));
    const where = node.map((i) => i.where.split(' ')[0]);
    for (const part of ['-migrate', '-register-connector', '-test', '-projector', '-connector-supervisor', '-connect'])
      expect(
        where.some((w) => w?.endsWith(part)),
        `a node container in *${part}`,
      ).toBe(true);
    expect(new Set(node.map((i) => i.image))).toEqual(
      new Set([`docker.io/library/node:${chartNodeVersion()}-alpine3.24`]),
    );
  });
});
