import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './tools.ts';

const PARENT_FIXTURE = join(ROOT, 'test/fixtures/parent-chart');

/**
 * A throw-away copy of the parent fixture with its dependencies unpacked into charts/ (what
 * `helm dependency build` would do, without writing a Chart.lock or .tgz into the repo).
 */
export async function assembleParentChart(
  agentstore = join(ROOT, 'charts/agentstore'),
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), 'parent-chart-'));
  const dir = join(tmp, 'parent');
  await cp(PARENT_FIXTURE, dir, { recursive: true, filter: (src) => !src.startsWith(join(PARENT_FIXTURE, 'deps')) });
  await cp(agentstore, join(dir, 'charts/agentstore'), { recursive: true });
  await cp(join(PARENT_FIXTURE, 'deps/redis'), join(dir, 'charts/redis'), { recursive: true });
  return { dir, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}
