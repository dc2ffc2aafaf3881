import { describe, expect, it } from 'vitest';
import { ConflictError, UnavailableError, ValidationError, ValueTooLargeError } from '../../src/domain/errors.js';

describe('typed errors of the storage layer', () => {
  it('name the field and the fix, and are validation errors except for unavailability', () => {
    const big = new ValueTooLargeError('channel "messages"', 2_000_000, 1_048_576);
    expect(big).toBeInstanceOf(ValidationError);
    expect(big.message).toBe(
      'channel "messages": 2000000 bytes is over the maximum of 1048576; store it elsewhere and keep a reference, or raise the maximum',
    );
    const stale = new ConflictError('version', 'expected 3, found 4');
    expect(stale).toBeInstanceOf(ValidationError);
    expect(stale.name).toBe('ConflictError');
    const down = new UnavailableError('cql', { cause: new Error('no host') });
    expect(down).not.toBeInstanceOf(ValidationError);
    expect([down.retryable, down.message, down.cause instanceof Error]).toEqual([
      true,
      'cql is unavailable: no host',
      true,
    ]);
  });
});
