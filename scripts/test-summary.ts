/**
 * Prints the one line CI reads: `N passed, N failed` from vitest's JSON report. A missing or broken
 * report counts as one failure, so a crashed run is never read as green.
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.reports/vitest.json';
try {
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numFailedTestSuites: number;
  };
  // A file that fails to load fails no single test, but it is a failure.
  const failed = r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed`);
} catch {
  console.log('0 passed, 1 failed');
}
