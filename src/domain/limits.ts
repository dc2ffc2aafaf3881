import { ValidationError } from './errors.ts';
import { STEP_CONTENT, STEP_TYPES, StepType, type StepTypeName } from './step-types.ts';

/**
 * Product limits. They keep every partition bounded (turns per session, steps per turn, content
 * size) and are checked before anything is written.
 */
export const LIMITS = {
  idLength: 64,
  titleBytes: 512,
  promptBytes: 32 * 1024,
  contentBytes: 64 * 1024,
  stepsPerTurn: 512,
  /** Bounds a session's turns_by_session partition: 2,000 turns of at most 32 KiB prompts is 64 MiB at worst. */
  turnsPerSession: 2000,
  maxDurationMs: 24 * 3600 * 1000,
  /**
   * How far a caller's `at` may be ahead of the server's clock. An activity time becomes the write
   * timestamp of sessions.last_activity, a CDC-enabled table, and ScyllaDB refuses a write to a CDC
   * table whose timestamp is more than 5 s in the future (scylladb cdc/metadata.cc, generation_leeway
   * in cdc/generation.cc); a timestamp far ahead would also make the cell immune to later writes.
   */
  clockSkewMs: 5_000,
} as const;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(field, 'is required (a non-empty string id)');
  }
  if (value.length > LIMITS.idLength || !ID_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      `"${value.slice(0, 80)}" is not a valid id: use up to ${LIMITS.idLength} characters from A-Z a-z 0-9 _ . : - , starting with a letter or digit`,
    );
  }
  return value;
}

export function checkText(field: string, value: unknown, maxBytes: number, allowEmpty = false): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (!allowEmpty && value.trim().length === 0) throw new ValidationError(field, 'must not be empty');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) {
    throw new ValidationError(
      field,
      `is ${bytes} bytes; the limit is ${maxBytes} bytes (shorten it or store it elsewhere and link it)`,
    );
  }
  return value;
}

function checkDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(field, 'must be a valid Date');
  }
  return value;
}

/** An event's time: a valid Date at most LIMITS.clockSkewMs after `now`. */
export function checkEventTime(field: string, value: unknown, now: Date): Date {
  const at = checkDate(field, value);
  const ahead = at.getTime() - now.getTime();
  if (ahead > LIMITS.clockSkewMs) {
    throw new ValidationError(
      field,
      `${at.toISOString()} is ${Math.round(ahead / 1000)} s after the server's clock (${now.toISOString()}); ` +
        `at most ${LIMITS.clockSkewMs / 1000} s ahead are accepted (clock skew): pass the time the event happened, or omit it`,
    );
  }
  return at;
}

/** Accepts the enum's integer or its name ("Think", "LangDetection"). */
export function checkStepType(field: string, value: unknown): StepType {
  if (typeof value === 'number' && STEP_TYPES.includes(value)) return value;
  if (typeof value === 'string' && value in StepType) return StepType[value as StepTypeName];
  throw new ValidationError(
    field,
    `unknown step type ${JSON.stringify(value)}; use one of ${STEP_TYPES.map((t) => `${t} (${StepType[t]})`).join(', ')}`,
  );
}

export function checkStepIdx(field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= LIMITS.stepsPerTurn) {
    throw new ValidationError(field, `must be an integer from 0 to ${LIMITS.stepsPerTurn - 1}`);
  }
  return value as number;
}

export function checkDuration(field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > LIMITS.maxDurationMs) {
    throw new ValidationError(field, `must be an integer number of milliseconds from 0 to ${LIMITS.maxDurationMs}`);
  }
  return value as number;
}

/**
 * Content arrives as JSON text (the column type of the brief) or as an object. It must parse and
 * match its type's schema; the returned text is what gets stored, and the parsed value is what the
 * analytics tables read labels and languages from.
 */
export function checkContent(field: string, type: StepType, value: unknown): { text: string; parsed: unknown } {
  let text: string;
  let parsed: unknown;
  if (typeof value === 'string') {
    text = value;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new ValidationError(field, `is not valid JSON (${(err as Error).message})`);
    }
  } else if (value !== null && typeof value === 'object') {
    parsed = value;
    text = JSON.stringify(value);
  } else {
    throw new ValidationError(field, 'must be a JSON object or its JSON text');
  }
  checkText(field, text, LIMITS.contentBytes);
  const result = STEP_CONTENT[type].safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.length ? `.${issue.path.join('.')}` : '';
    throw new ValidationError(`${field}${path}`, `${issue.message} (content of a ${StepType[type]} step)`);
  }
  return { text, parsed: result.data };
}
