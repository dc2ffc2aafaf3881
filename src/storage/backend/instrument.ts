import type { OperationMetrics } from './types.ts';

/**
 * Wraps a store so every async method call is counted and timed under "<store>.<method>": the
 * backend's metrics snapshot. The store itself stays free of bookkeeping.
 */
export class OperationRecorder {
  readonly operations: Record<string, OperationMetrics> = {};

  wrap<T extends object>(storeName: string, store: T): T {
    return new Proxy(store, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        return async (...args: unknown[]) => {
          const op = (this.operations[`${storeName}.${prop}`] ??= { calls: 0, errors: 0, totalMs: 0 });
          const started = performance.now();
          op.calls++;
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (err) {
            op.errors++;
            throw err;
          } finally {
            op.totalMs += performance.now() - started;
          }
        };
      },
    });
  }

  snapshot(): Record<string, OperationMetrics> {
    return Object.fromEntries(Object.entries(this.operations).map(([k, v]) => [k, { ...v }]));
  }
}

/** Times one health check; a check that throws is reported down with its message. */
export async function timedCheck(name: string, run: () => Promise<string>) {
  const started = performance.now();
  try {
    const detail = await run();
    return { name, ok: true, latencyMs: performance.now() - started, detail };
  } catch (err) {
    return { name, ok: false, latencyMs: performance.now() - started, detail: (err as Error).message };
  }
}
