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

/** Every method call of `store` goes through `guarded`, so a transport failure surfaces as an UnavailableError. */
export function unavailableOnTransport<T extends object>(backend: string, store: T): T {
  return new Proxy(store, {
    get: (target, prop, receiver) => {
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function'
        ? (...args: unknown[]) =>
            guarded(backend, () => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args))
        : v;
    },
  });
}
