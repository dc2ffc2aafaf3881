import { ValidationError } from './errors.ts';
import { checkContent, checkDuration, checkEventTime, checkId, checkStepIdx, checkStepType, LIMITS } from './limits.ts';
import type { StepType } from './step-types.ts';

/** One step of an addSteps call, as a caller gives it. */
export interface StepInput {
  idx: number;
  type: StepType | string;
  /** A JSON object, or its JSON text. */
  content: unknown;
  durationMs: number;
  at?: Date;
}

/** A step that passed every check: its content as stored (text) and as parsed. */
export interface CheckedStep {
  idx: number;
  type: StepType;
  content: { text: string; parsed: unknown };
  durationMs: number;
  at: Date;
}

/**
 * The checks of an addSteps call, shared by every backend (AgentStore, and the memory and PostgreSQL
 * conversation stores) so the same bad field fails with the same error everywhere: all steps are
 * checked before anything is written, and an `at` defaults to `now`.
 */
export function checkSteps(
  input: { turnId: string; steps: StepInput[] },
  now: Date,
): { turnId: string; steps: CheckedStep[] } {
  const turnId = checkId('turnId', input?.turnId);
  if (!Array.isArray(input.steps) || input.steps.length === 0)
    throw new ValidationError('steps', 'give at least one step');
  if (input.steps.length > LIMITS.stepsPerTurn)
    throw new ValidationError('steps', `at most ${LIMITS.stepsPerTurn} steps per turn`);
  const seen = new Set<number>();
  const steps = input.steps.map((s, i) => {
    const f = `steps[${i}]`;
    const idx = checkStepIdx(`${f}.idx`, s.idx);
    if (seen.has(idx)) throw new ValidationError(`${f}.idx`, `idx ${idx} appears twice in this call`);
    seen.add(idx);
    const type = checkStepType(`${f}.type`, s.type);
    return {
      idx,
      type,
      content: checkContent(`${f}.content`, type, s.content),
      durationMs: checkDuration(`${f}.durationMs`, s.durationMs),
      at: s.at ? checkEventTime(`${f}.at`, s.at, now) : now,
    };
  });
  return { turnId, steps };
}
