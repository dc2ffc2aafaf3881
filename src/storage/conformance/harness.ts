import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { ValidationError } from '../../domain/errors.ts';
import type { StorageBackend } from '../backend/types.ts';
import type { Clock } from '../component.ts';

/** A clock the suites move by hand; it starts at the real time so write timestamps stay plausible. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let t = Math.floor(start / 1000) * 1000;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

/** Builds the backend under test from the suite's clock; the suite calls init() and, at the end, close(). */
export type OpenBackend = (clock: Clock) => Promise<StorageBackend>;

/** One backend per suite; ids are unique per test (`id('s')`), so suites never truncate anything. */
export function useBackend(open: OpenBackend) {
  const clock = manualClock();
  const run = randomBytes(3).toString('hex');
  let n = 0;
  const ctx = {
    clock,
    backend: undefined as unknown as StorageBackend,
    id: (prefix: string) => `${prefix}-${run}-${++n}`,
  };
  beforeAll(async () => {
    ctx.backend = await open(clock);
    await ctx.backend.init();
  });
  afterAll(async () => {
    await ctx.backend?.close();
  });
  return ctx;
}

/** Runs `call`, expects it to throw `kind` naming `field`, and returns the error. */
export async function rejects<E extends ValidationError>(
  call: Promise<unknown>,
  kind: new (...args: never[]) => E,
  field: string | RegExp,
): Promise<E> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a ${kind.name} naming ${String(field)}`).toBeInstanceOf(kind);
  if (typeof field === 'string') expect((err as E).field).toBe(field);
  else expect((err as E).field).toMatch(field);
  return err as E;
}
