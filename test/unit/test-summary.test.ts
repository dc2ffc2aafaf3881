import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { summarise, tallyValidate, tallyVitest } from '../../scripts/test-summary.ts';
import { repoPath } from '../../src/util/repo.ts';

/**
 * The closing line CI reads must agree with what really happened. These runs use the project's own
 * vitest on a scratch project with each kind of failure vitest's JSON report hides or undercounts.
 */
const FILES: Record<string, string> = {
  'a.test.ts': `import { it, expect } from 'vitest';
it('passes', () => expect(1).toBe(1));
it('fails', () => expect(1).toBe(2));
it.skip('skipped on purpose', () => {});`,
  'hook.test.ts': `import { it, expect, beforeAll, describe } from 'vitest';
describe('under a failing hook', () => {
  beforeAll(() => { throw new Error('hook failed'); });
  it('x', () => expect(1).toBe(1));
  it('y', () => expect(1).toBe(1));
});
it('outside the hook', () => expect(1).toBe(1));`,
  'load.test.ts': `import { nope } from './does-not-exist.ts';
import { it } from 'vitest';
it('never runs', () => nope());`,
};
const UNHANDLED = `import { it, expect } from 'vitest';
it('leaves a rejection behind', () => { void Promise.reject(new Error('unhandled')); expect(1).toBe(1); });`;

let dir: string;

async function runVitest(files: Record<string, string>): Promise<{ exit: number; report: never }> {
  const project = await mkdtemp(join(dir, 'p-'));
  await mkdir(join(project, 'test'));
  await writeFile(join(project, 'package.json'), '{"type":"module"}');
  await writeFile(
    join(project, 'vitest.config.ts'),
    "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['test/**/*.test.ts'] } });\n",
  );
  await symlink(repoPath('node_modules'), join(project, 'node_modules'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(project, 'test', name), text);
  const r = await $({
    cwd: project,
    nothrow: true,
    quiet: true,
  })`${repoPath('node_modules/.bin/vitest')} run --reporter=json --outputFile.json=r.json`;
  return { exit: r.exitCode ?? 1, report: JSON.parse(await readFile(join(project, 'r.json'), 'utf8')) as never };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'test-summary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the closing line', () => {
  it('counts a failed test, a file that did not load and the tests a failed hook stopped', async () => {
    const { exit, report } = await runVitest(FILES);
    expect(exit).toBe(1);
    const t = tallyVitest(report, exit, false);
    // passes + outside the hook; fails; hook error + x + y; the unloadable file.
    expect(t).toMatchObject({ passed: 2, failed: 5, skipped: 1 });
    expect(t.notes.join('\n')).toMatch(/hook\.test\.ts: a hook failed \(2 tests not run\)/);
    expect(t.notes.join('\n')).toMatch(/load\.test\.ts: .*does-not-exist/);
    expect(summarise([t]).lines.at(-1)).toBe('2 passed, 5 failed');
  });

  it('under CI a skip is a failure', async () => {
    const { exit, report } = await runVitest({ 'a.test.ts': FILES['a.test.ts']! });
    expect(tallyVitest(report, exit, true)).toMatchObject({ passed: 1, failed: 2, skipped: 1 });
  });

  it('an unhandled error that vitest leaves out of its JSON still fails the line', async () => {
    const { exit, report } = await runVitest({ 'u.test.ts': UNHANDLED });
    expect(exit).toBe(1);
    expect((report as { success: boolean }).success).toBe(true); // what vitest 4 writes: the reason for this rule
    const t = tallyVitest(report, exit, false);
    expect(t).toMatchObject({ passed: 1, failed: 1 });
    expect(summarise([t]).lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('a green run is green', async () => {
    const { exit, report } = await runVitest({ 'ok.test.ts': "import { it } from 'vitest';\nit('ok', () => {});" });
    expect(summarise([tallyVitest(report, exit, true)])).toEqual({
      lines: ['vitest: 1 passed, 0 failed, 0 skipped', '1 passed, 0 failed'],
      failed: 0,
    });
  });
});

describe("make validate's steps in the same line", () => {
  const step = (name: string, status: string, detail = '') => ({ step: name, status, seconds: 1, detail });

  it('counts each step; steps stopped by a failure count as failed, the report step not at all', () => {
    const t = tallyValidate(
      {
        passed: false,
        target: { kind: 'local' },
        steps: [
          step('preflight', 'ok'),
          step('migrate', 'failed', 'schema behind'),
          step('seed', 'skipped'),
          step('report', 'ok'),
        ],
      },
      1,
      false,
    );
    expect(t).toMatchObject({ source: 'validate (local)', passed: 1, failed: 2, skipped: 0 });
    expect(t.notes).toEqual(['migrate: schema behind']);
  });

  it('a non-zero exit without a failed step is still a failure', () => {
    const t = tallyValidate({ passed: true, steps: [step('preflight', 'ok')] }, 2, false);
    expect(t.failed).toBe(1);
  });

  it('adds up with vitest', () => {
    const v = tallyValidate({ passed: true, steps: [step('a', 'ok'), step('b', 'ok')] }, 0, true);
    const line = summarise([v, { source: 'vitest', passed: 10, failed: 1, skipped: 0, notes: [] }]).lines.at(-1);
    expect(line).toBe('12 passed, 1 failed');
  });
});
