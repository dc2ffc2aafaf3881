/**
 * Runs the steps in order with the live display, stops at the first failure (the rest are shown
 * as skipped), and always ends with the report. A failure prints its cause, its next step and its
 * details; when a release may have been left on the cluster, the run says so and how to remove it.
 */
import type { ProgressSink } from './progress.ts';
import { reportPaths, writeReport, scopeLine, type RunOutcome } from './report.ts';
import { shown } from '../util/repo.ts';
import { ValidateFailure, type Step, type StepContext, type StepResult, type Target } from './types.ts';

export interface RunOptions {
  target: Target;
  steps: Step[];
  progress: ProgressSink;
  reportDir?: string;
  now?: () => number;
}

export interface RunResult {
  outcome: RunOutcome;
  exitCode: number;
}

function asValidateFailure(err: unknown): ValidateFailure {
  if (err instanceof ValidateFailure) return err;
  const e = err as Error;
  return new ValidateFailure(
    `unexpected error: ${e?.message ?? String(err)}`,
    'this is a bug in make validate: please report it with .reports/validate.md',
    (e?.stack ?? '').split('\n').slice(1, 8),
  );
}

export async function runValidate(o: RunOptions): Promise<RunResult> {
  const now = o.now ?? (() => performance.now());
  const ctx: StepContext = { notExercised: [], sections: [], data: {} };
  const results: StepResult[] = [];
  let failure: RunOutcome['failure'];
  let exitCode = 0;
  o.progress.note(`target: ${o.target.kind} (${o.target.reasons.join('; ')})`);
  for (const step of o.steps) {
    if (failure) {
      results.push({ step: step.name, status: 'skipped', seconds: 0, detail: 'not run: an earlier step failed' });
      continue;
    }
    o.progress.start(step.name);
    const started = now();
    try {
      const detail = await step.run(ctx, (line) => o.progress.update(step.name, line));
      const seconds = (now() - started) / 1000;
      const status = detail.startsWith('not exercised') ? 'skipped' : 'ok';
      results.push({ step: step.name, status, seconds, detail });
      o.progress.finish(step.name, status, seconds, detail);
    } catch (err) {
      const e = asValidateFailure(err);
      const seconds = (now() - started) / 1000;
      failure = { reason: e.reason, nextStep: e.nextStep, details: e.details };
      exitCode = e.exitCode;
      results.push({ step: step.name, status: 'failed', seconds, detail: e.reason });
      o.progress.finish(step.name, 'failed', seconds, e.reason);
    }
  }
  const leftovers: string[] = [];
  if (ctx.data['releaseTouched']) {
    leftovers.push(
      o.target.kind === 'sandbox'
        ? 'release agentstore left installed in the sandbox cluster: `make cluster-down` stops the cluster (its data stays in .cluster/ for the next `make cluster-up`)'
        : failure
          ? 'release left installed: run `make clean-cluster` to remove it'
          : 'release agentstore left installed in namespace agentstore for you to explore: `make clean-cluster` removes it',
    );
  }
  const outcome: RunOutcome = { target: o.target, steps: results, ctx, leftovers, ...(failure ? { failure } : {}) };
  // The report lists itself as a step, so its paths are known before it is written (once).
  const paths = reportPaths(o.reportDir);
  results.push({ step: 'report', status: 'ok', seconds: 0, detail: `${shown(paths.md)}, ${shown(paths.json)}` });
  await writeReport(outcome, o.reportDir);
  if (failure) {
    o.progress.note(`\nvalidate FAILED: ${failure.reason}`);
    for (const line of failure.details) o.progress.note(`  ${line}`);
    o.progress.note(`next step: ${failure.nextStep}`);
  }
  for (const l of leftovers) o.progress.note(l);
  o.progress.note(`\n${scopeLine(outcome)}\nreport: ${shown(paths.md)}, ${shown(paths.json)}`);
  o.progress.note(failure ? 'validate FAILED' : 'validate passed');
  return { outcome, exitCode };
}
