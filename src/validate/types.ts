/**
 * The vocabulary of `make validate`: targets, step outcomes, and the one error type every bad
 * situation ends in (a cause and the next step, so the user is never left guessing).
 */
export type TargetKind = 'cluster' | 'kind' | 'sandbox' | 'local';

export interface Target {
  kind: TargetKind;
  /** Kube context name (cluster / kind), else undefined. */
  context?: string;
  /** The values file the chart is installed with (cluster / kind). */
  valuesFile?: string;
  /** Why this target was chosen, and why the ones before it were not. */
  reasons: string[];
}

export type StepStatus = 'ok' | 'failed' | 'skipped';

export interface StepResult {
  step: string;
  status: StepStatus;
  seconds: number;
  detail: string;
}

/**
 * A failed `make validate` step (or target), with its cause and what to do next; `exitCode` tells usage (2)
 * from failure (1). Not the domain's ValidationError, which is bad input to the store.
 */
export class ValidateFailure extends Error {
  override name = 'ValidateFailure';
  constructor(
    readonly reason: string,
    readonly nextStep: string,
    readonly details: string[] = [],
    readonly exitCode = 1,
  ) {
    super(`${reason}\nnext step: ${nextStep}`);
  }
}

/** What a step hands to the report besides its one-line detail. */
export interface StepContext {
  notExercised: string[];
  sections: { title: string; lines: string[] }[];
  data: Record<string, unknown>;
}

export interface Step {
  name: string;
  /** Returns the one-line detail shown next to the step. Throws ValidateFailure on failure. */
  run(ctx: StepContext, progress: (line: string) => void): Promise<string>;
}
