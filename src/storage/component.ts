/**
 * What every store of the storage layer shares: the clock it is given (dependency injection: tests
 * pass a fake one, and every time a store writes or compares comes from it) and the error it raises
 * when its backend does not answer.
 */
import { UnavailableError, ValidationError } from '../domain/errors.ts';

export type { Clock } from '../store/store.ts';

/**
 * Runs a backend call and turns a transport failure (no host, timeout, refused connection) into an
 * UnavailableError, the one retryable kind. Typed errors of the storage layer pass through as they are.
 */
export async function guarded<T>(backend: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    if (isTransportError(err)) throw new UnavailableError(backend, { cause: err });
    throw err;
  }
}

const TRANSPORT_NAMES = new Set(['NoHostAvailableError', 'OperationTimedOutError', 'CqlConnectError']);
const TRANSPORT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '08006', '08001']);

function isTransportError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return (
    TRANSPORT_NAMES.has(String(e?.name)) ||
    TRANSPORT_CODES.has(String(e?.code)) ||
    /Connection terminated|Pool is draining|not connected/i.test(String(e?.message))
  );
}
