/**
 * Prints the one line CI reads last, `N passed, N failed`, from vitest's JSON report and, when given,
 * make validate's report, after one line per source with its skips. The counts agree with the exit
 * statuses: vitest's JSON leaves out unhandled errors and records tests under a failed hook as
 * skipped, so a failed file or a non-zero exit always counts as a failure here, and under CI=true a
 * skip counts as one too (nothing may skip in CI). A missing or broken report counts as one failure.
 *
 *   tsx scripts/test-summary.ts --vitest .reports/vitest.json --vitest-exit 0 \
 *     [--validate .reports/validate.json --validate-exit 0]
 * Exit status: 0 when nothing failed, else 1.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface Tally {
  source: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Why failures were added beyond failed tests (a file that did not load, an unhandled error, ...). */
  notes: string[];
}

interface VitestReport {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { status: string; fullName?: string; title: string }[];
  }[];
}

interface ValidateReport {
  passed: boolean;
  target?: { kind?: string };
  steps: { step: string; status: string; detail: string }[];
}

const SKIPPED = new Set(['skipped', 'pending', 'todo', 'disabled']);

export function tallyVitest(report: VitestReport, exitCode: number, ci: boolean): Tally {
  const t: Tally = { source: 'vitest', passed: 0, failed: 0, skipped: 0, notes: [] };
  for (const file of report.testResults) {
    const tests = file.assertionResults;
    const failedTests = tests.filter((a) => a.status === 'failed').length;
    const skippedTests = tests.filter((a) => SKIPPED.has(a.status)).length;
    t.passed += tests.filter((a) => a.status === 'passed').length;
    t.failed += failedTests;
    if (file.status === 'failed' && failedTests === 0) {
      // The file failed without a failing test: it did not load, or a hook failed and the tests under
      // it were never run (vitest marks those skipped). The error and every test it stopped are failures.
      t.failed += 1 + skippedTests;
      t.notes.push(
        `${file.name}: ${file.message?.split('\n')[0] || 'a hook failed'}${skippedTests ? ` (${skippedTests} tests not run)` : ''}`,
      );
    } else {
      t.skipped += skippedTests;
    }
  }
  if (ci && t.skipped > 0) {
    t.notes.push(`${t.skipped} skipped under CI=true, counted as failed: nothing may skip in CI`);
    t.failed += t.skipped;
  }
  if (exitCode !== 0 && t.failed === 0) {
    t.failed = 1;
    t.notes.push(`vitest exited ${exitCode} with no failed test: an unhandled error (see "Errors" in its output)`);
  }
  return t;
}

export function tallyValidate(report: ValidateReport, exitCode: number, ci: boolean): Tally {
  const t: Tally = {
    source: `validate (${report.target?.kind ?? 'no target'})`,
    passed: 0,
    failed: 0,
    skipped: 0,
    notes: [],
  };
  const failedSomewhere = report.steps.some((s) => s.status === 'failed');
  // The report step only lists the files; it is not a check.
  for (const s of report.steps.filter((x) => x.step !== 'report')) {
    if (s.status === 'ok') t.passed++;
    else if (s.status === 'failed') {
      t.failed++;
      t.notes.push(`${s.step}: ${s.detail}`);
    } else if (failedSomewhere)
      t.failed++; // not run because an earlier step failed
    else t.skipped++;
  }
  if (ci && t.skipped > 0) {
    t.notes.push(`${t.skipped} steps not exercised under CI=true, counted as failed`);
    t.failed += t.skipped;
  }
  if ((exitCode !== 0 || !report.passed) && t.failed === 0) {
    t.failed = 1;
    t.notes.push(`make validate exited ${exitCode} with no failed step`);
  }
  return t;
}

function read<T>(file: string): T | Error {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

const missing = (source: string, file: string, err: Error): Tally => ({
  source,
  passed: 0,
  failed: 1,
  skipped: 0,
  notes: [`no readable report at ${file} (${err.message.split('\n')[0]}): the run stopped before it wrote one`],
});

export function summarise(tallies: Tally[]): { lines: string[]; failed: number } {
  const lines: string[] = [];
  for (const t of tallies) {
    lines.push(`${t.source}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
    for (const n of t.notes) lines.push(`  ${n}`);
  }
  const passed = tallies.reduce((n, t) => n + t.passed, 0);
  const failed = tallies.reduce((n, t) => n + t.failed, 0);
  lines.push(`${passed} passed, ${failed} failed`);
  return { lines, failed };
}

function main(): number {
  const { values } = parseArgs({
    options: {
      vitest: { type: 'string' },
      'vitest-exit': { type: 'string', default: '0' },
      validate: { type: 'string' },
      'validate-exit': { type: 'string', default: '0' },
    },
  });
  const ci = Boolean(process.env['CI']) && process.env['CI'] !== 'false';
  const tallies: Tally[] = [];
  if (values.validate) {
    const r = read<ValidateReport>(values.validate);
    tallies.push(
      r instanceof Error
        ? missing('validate', values.validate, r)
        : tallyValidate(r, Number(values['validate-exit']), ci),
    );
  }
  const vitestFile = values.vitest ?? '.reports/vitest.json';
  const r = read<VitestReport>(vitestFile);
  tallies.push(
    r instanceof Error ? missing('vitest', vitestFile, r) : tallyVitest(r, Number(values['vitest-exit']), ci),
  );
  const { lines, failed } = summarise(tallies);
  for (const l of lines) console.log(l);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main());
