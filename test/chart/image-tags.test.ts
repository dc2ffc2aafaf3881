/**
 * Image tags given as numbers (`--set redis.image.tag=8`, `tag: 20260205` in a values file) are
 * accepted and rendered exactly; a tag YAML reads as a fraction (`tag: 8.6`, which would lose digits:
 * 8.60 is 8.6) is refused, naming the field, so it gets quoted.
 */
import { describe, expect, it } from 'vitest';
import { containersOf, podTemplates } from './support/pods.ts';
import { helmTemplate, render } from './support/render.ts';
import { missingTools, type HelmName } from './support/tools.ts';

const CHART = 'charts/agentstore';
const why = missingTools();
const HELMS: HelmName[] = ['helm4', 'helm3'];

const images = async (helm: HelmName, flags: string[]): Promise<Record<string, string>> => {
  const { objects } = await render(helm, { chart: CHART, flags });
  return Object.fromEntries(
    podTemplates(objects).flatMap((p) =>
      containersOf(p.spec).map((c) => [`${p.owner}/${c.name}`, (c as unknown as { image: string }).image]),
    ),
  );
};

describe.skipIf(why !== null)(`numeric image tags in charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(HELMS)(
    '%s: integers from --set and --set-json render as written, in the image and the version label',
    async (helm) => {
      const flags = [
        '--set',
        'scylladb.image.tag=2026',
        '--set',
        'redis.image.tag=8',
        '--set-json',
        'kafka.image.tag=20260205',
        '--set',
        'connect.image.tag=4',
        '--set',
        'connect.plugin.downloaderImage.tag=24',
        '--set',
        'jobs.image.tag=24',
        '--set',
        'projector.image.repository=acme/projector',
        '--set',
        'projector.image.tag=7',
      ];
      const all = await images(helm, flags);
      expect(Object.values(all)).toEqual(
        expect.arrayContaining([
          'docker.io/scylladb/scylla:2026',
          'docker.io/library/redis:8',
          'docker.io/apache/kafka:20260205',
          'docker.io/apache/kafka:4',
          'docker.io/library/node:24',
          'docker.io/acme/projector:7',
        ]),
      );
      const { objects } = await render(helm, { chart: CHART, flags });
      const kafka = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name.endsWith('-kafka'))!;
      expect(kafka.metadata.labels?.['app.kubernetes.io/version']).toBe('20260205');
    },
  );

  it.each(HELMS)('%s: a fractional number is refused naming the tag', async (helm) => {
    const r = await helmTemplate(helm, { chart: CHART, flags: ['--set-json', 'redis.image.tag=8.6'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('tag');
  });
});
