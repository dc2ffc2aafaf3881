/**
 * The generic chart checks as a vitest suite, so the same checks run on the small fixture chart and
 * on charts/agentstore: lint, render under Helm 4 and Helm 3 for every values file, strict schema
 * validation, wiring, package, bad values and README parameter tables.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { badValuesFor, type BadValue } from './bad-values.ts';
import { helmTemplate, kubeconform, parseManifests, render, type K8sObject } from './render.ts';
import { HELM, K8S_VERSION, ROOT, missingTools, run, type HelmName } from './tools.ts';
import { wiringFindings, type WiringOptions } from './wiring.ts';

export interface ChartSuite {
  /** Chart directory, relative to the repo root. */
  chart: string;
  /** Values files to render, each on its own (relative to the repo root); the defaults are always rendered. */
  valuesFiles?: string[];
  release?: string;
  namespace?: string;
  /** Objects and host:ports documented as provided outside the chart. */
  external?: WiringOptions['external'];
  /** host:port targets outside the release that a values file configures (e.g. an external Kafka). */
  externalHosts?: (values: Record<string, unknown>) => string[];
  /** Extra bad-value cases on top of the ones derived from values.yaml. */
  badValues?: BadValue[];
}

const HELMS: HelmName[] = ['helm4', 'helm3'];

/** Unpacked subchart directories (charts/<name>/Chart.yaml). */
const subcharts = (chart: string): string[] =>
  existsSync(join(chart, 'charts'))
    ? readdirSync(join(chart, 'charts'))
        .map((d) => join(chart, 'charts', d))
        .filter((d) => existsSync(join(d, 'Chart.yaml')))
        .sort()
    : [];

export function describeChart(s: ChartSuite): void {
  const chart = isAbsolute(s.chart) ? s.chart : join(ROOT, s.chart);
  const release = s.release ?? 'rel';
  const namespace = s.namespace ?? 'ns-test';
  const cases = [
    { label: 'default values', files: [] as string[] },
    ...(s.valuesFiles ?? []).map((f) => ({ label: f, files: [join(ROOT, f)] })),
  ];
  const wiringFor = (files: string[]): WiringOptions => {
    const values = files.map((f) => (parse(readFileSync(f, 'utf8')) ?? {}) as Record<string, unknown>);
    return { namespace, external: s.external ?? [], externalHosts: values.flatMap((v) => s.externalHosts?.(v) ?? []) };
  };
  const tools = missingTools();

  describe.skipIf(tools !== null)(`chart ${s.chart}${tools ? ` (skipped: ${tools})` : ''}`, () => {
    for (const helm of HELMS) {
      it.each(cases)(`${helm} lint --strict with $label`, async ({ files }) => {
        const r = await run(HELM[helm], [
          'lint',
          '--strict',
          chart,
          '--namespace',
          namespace,
          '--kube-version',
          K8S_VERSION,
          ...files.flatMap((f) => ['--values', f]),
        ]);
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      });

      describe.each(cases)(`${helm} template with $label`, ({ files }) => {
        let text = '';
        beforeAll(async () => {
          text = (await render(helm, { chart, release, namespace, valuesFiles: files })).text;
        });
        it('renders objects that pass kubeconform -strict (k8s 1.33)', async () => {
          expect(parseManifests(text).length).toBeGreaterThan(0);
          expect(await kubeconform(text)).toEqual([]);
        });
        it('is wired: selectors, references, host:port, names, namespaces', () => {
          expect(wiringFindings(parseManifests(text), wiringFor(files))).toEqual([]);
        });
      });
    }

    describe('helm package', () => {
      let dir = '';
      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'chart-pkg-'));
      });
      afterAll(async () => {
        await rm(dir, { recursive: true, force: true });
      });
      it('gives an archive that renders the same objects as the directory', async () => {
        const p = await run(HELM.helm4, ['package', chart, '--destination', dir]);
        expect(p.code, p.stderr).toBe(0);
        const tgz = /saved it to: (\S+\.tgz)/.exec(p.stdout)?.[1];
        expect(tgz, p.stdout).toBeDefined();
        for (const helm of HELMS) {
          const fromTgz = await render(helm, { chart: tgz ?? '', release, namespace });
          const fromDir = await render(helm, { chart, release, namespace });
          // Same objects from the same templates (contents may differ: generated passwords).
          const ids = (objects: K8sObject[]): string[] =>
            objects.map((o) => `${o.source} ${o.kind}/${o.metadata.name}`).sort();
          expect(ids(fromTgz.objects)).toEqual(ids(fromDir.objects));
        }
      });
    });

    describe('bad values fail with an error naming the field', () => {
      const bad = existsSync(join(chart, 'values.yaml')) ? [...badValuesFor(chart), ...(s.badValues ?? [])] : [];
      // If the defaults fail too, a bad value's error proves nothing: it must be a different error.
      const defaults = new Map<HelmName, string>();
      beforeAll(async () => {
        for (const helm of HELMS) defaults.set(helm, (await helmTemplate(helm, { chart, release, namespace })).stderr);
      });
      it.each(bad.flatMap((b) => HELMS.map((helm) => ({ ...b, helm }))))(
        '$helm: $name (--set-json $setJson)',
        async (b) => {
          const r = await helmTemplate(b.helm, { chart, release, namespace, flags: ['--set-json', b.setJson] });
          expect(r.code, `helm accepted ${b.setJson}`).not.toBe(0);
          expect(r.stderr, 'the same error as with the default values').not.toEqual(defaults.get(b.helm));
          expect(r.stderr).toContain(b.names);
        },
      );
    });

    const readmes = [chart, ...subcharts(chart)].filter(
      (d) => existsSync(join(d, 'README.md')) && existsSync(join(d, 'values.yaml')),
    );
    it.each(readmes.map((dir) => ({ dir, name: dir.slice(chart.length + 1) || basename(chart) })))(
      'README parameter tables of $name match its values.yaml (readme-generator)',
      async ({ dir }) => {
        const tmp = await mkdtemp(join(tmpdir(), 'chart-readme-'));
        try {
          await copyFile(join(dir, 'README.md'), join(tmp, 'README.md'));
          await copyFile(join(dir, 'values.yaml'), join(tmp, 'values.yaml'));
          const r = await run(join(ROOT, 'node_modules/.bin/readme-generator'), [
            '--values',
            join(tmp, 'values.yaml'),
            '--readme',
            join(tmp, 'README.md'),
          ]);
          expect(r.code, r.stderr).toBe(0);
          const rel = dir.startsWith(ROOT) ? dir.slice(ROOT.length + 1) : dir;
          expect(
            await readFile(join(tmp, 'README.md'), 'utf8'),
            `stale: run npx readme-generator -v ${rel}/values.yaml -r ${rel}/README.md`,
          ).toEqual(await readFile(join(dir, 'README.md'), 'utf8'));
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      },
    );
  });
}
