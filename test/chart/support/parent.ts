import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT } from './tools.ts';

const PARENT_FIXTURE = join(ROOT, 'test/fixtures/parent-chart');

/** How the parent chart embeds agentstore; the default is the fixture's own (alias "datalayer"). */
export interface ParentOptions {
  /** The agentstore entry of the parent's dependencies (name and version are filled in). */
  dependency?: { alias?: string; condition?: string; tags?: string[] };
  /** The parent's values.yaml. */
  values?: Record<string, unknown>;
}

interface Dependency {
  name: string;
  version: string;
  repository?: string;
  alias?: string;
  condition?: string;
  tags?: string[];
}

/**
 * A throw-away copy of the parent fixture with its dependencies unpacked into charts/ (what
 * `helm dependency build` would do, without writing a Chart.lock or .tgz into the repo), embedding
 * agentstore as `options` say.
 */
export async function assembleParentChart(
  options: ParentOptions = {},
  agentstore = join(ROOT, 'charts/agentstore'),
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), 'parent-chart-'));
  const dir = join(tmp, 'parent');
  await cp(PARENT_FIXTURE, dir, { recursive: true, filter: (src) => !src.startsWith(join(PARENT_FIXTURE, 'deps')) });
  await cp(agentstore, join(dir, 'charts/agentstore'), { recursive: true });
  await cp(join(PARENT_FIXTURE, 'deps/redis'), join(dir, 'charts/redis'), { recursive: true });
  if (options.dependency || options.values) {
    const chart = parse(await readFile(join(dir, 'Chart.yaml'), 'utf8')) as { dependencies: Dependency[] };
    if (options.dependency) {
      chart.dependencies = chart.dependencies.map((d) =>
        d.name === 'agentstore'
          ? { name: d.name, version: d.version, repository: d.repository, ...options.dependency }
          : d,
      );
    }
    await writeFile(join(dir, 'Chart.yaml'), stringify(chart));
    if (options.values) await writeFile(join(dir, 'values.yaml'), stringify(options.values));
  }
  return { dir, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}

/** A parent chart assembled before the enclosing suite's tests and removed after them: read `.dir` in a test. */
export function parentChartForSuite(options: ParentOptions = {}): { readonly dir: string } {
  const chart = { dir: '' };
  let cleanup = async (): Promise<void> => {};
  beforeAll(async () => {
    ({ dir: chart.dir, cleanup } = await assembleParentChart(options));
  });
  afterAll(async () => {
    await cleanup();
  });
  return chart;
}
