import { ValidationError } from './errors.ts';
import type { PageRequest } from './queries.ts';

/**
 * Argument checks and the cursor codec shared by every KeyQueries implementation (CQL, Redis,
 * PostgreSQL), so a bad argument gets the same error whichever store answers.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function checkDays(days: string[]): string[] {
  if (!Array.isArray(days) || days.length === 0 || days.length > 366) {
    throw new ValidationError('days', 'give 1 to 366 distinct days (YYYY-MM-DD)');
  }
  const seen = new Set<string>();
  for (const d of days) {
    if (!DAY.test(d)) throw new ValidationError('days', `"${d}" is not a YYYY-MM-DD day`);
    if (seen.has(d)) throw new ValidationError('days', `"${d}" appears twice: give each day once`);
    seen.add(d);
  }
  return days;
}

export function checkLimit(page: PageRequest): number {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 1000)
    throw new ValidationError('limit', 'must be an integer from 1 to 1000');
  return page.limit;
}

/** Cursors are opaque to callers: base64url JSON of whatever position the store needs. */
export function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
  } catch {
    throw new ValidationError('cursor', 'is not a cursor this query returned; start again without one');
  }
}

export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export function checkMinScore(minScore: number): number {
  if (typeof minScore !== 'number' || !(minScore >= 0 && minScore <= 1))
    throw new ValidationError('minScore', 'must be a number from 0 to 1');
  return minScore;
}
