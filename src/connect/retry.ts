/**
 * What is worth retrying against Kafka Connect, and how long to wait between tries.
 */
import { realClock, type Clock } from '../util/clock.ts';
import { ConnectHttpError } from './rest.ts';

/**
 * Messages the ScyllaDB CDC Source Connector's validate() reports while the cluster is starting or
 * its driver session is being recycled: Connect turns them into HTTP 400 "Connector configuration is
 * invalid ... Unable to connect to Scylla cluster: ..." although nothing is wrong with the config.
 * Source: scylladb/scylla-cdc-source-connector#212 (docs/connector.md).
 */
const TRANSIENT_VALIDATION = [/Unable to connect to Scylla cluster/i];

/** A 5xx that waiting will not fix: the worker has no such plugin (its answer to an unknown connector.class). */
export const NO_SUCH_PLUGIN = /Failed to find any class that implements Connector/;

export const isTransientMessage = (message: string): boolean => TRANSIENT_VALIDATION.some((re) => re.test(message));

/**
 * No answer (the worker is starting, a restart, DNS not there yet), 409 (a rebalance is in progress:
 * the herder refuses writes until it ends), 5xx (the worker is not ready, or a forwarded request
 * failed) unless it says the plugin is missing, and a 400 whose only complaint is a transient one above. Anything else (404, another 400)
 * will not change by waiting.
 */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ConnectHttpError)) return false;
  if (err.status === 0 || err.status === 409) return true;
  if (err.status >= 500) return !NO_SUCH_PLUGIN.test(err.detail);
  return err.status === 400 && isTransientMessage(err.detail);
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 2_000, maxMs: 30_000, factor: 2 };

/** The wait before try `attempt` (1 = the first retry): exponential, capped. */
export const backoffMs = (b: Backoff, attempt: number): number =>
  Math.min(b.maxMs, b.initialMs * b.factor ** Math.max(0, attempt - 1));

export class DeadlineError extends Error {
  override name = 'DeadlineError';
  constructor(
    message: string,
    readonly last: unknown,
  ) {
    super(message);
  }
}

export interface RetryOptions {
  what: string;
  deadline: number;
  backoff?: Backoff;
  clock?: Clock;
  transient?: (err: unknown) => boolean;
  onRetry?: (err: unknown, waitMs: number, attempt: number) => void;
}

/**
 * Runs `fn` until it succeeds, a non-transient error (rethrown as is) or the deadline (DeadlineError
 * carrying the last error). Never sleeps past the deadline.
 */
export async function retry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const clock = o.clock ?? realClock;
  const transient = o.transient ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!transient(err)) throw err;
      const left = o.deadline - clock.now();
      if (left <= 0) throw new DeadlineError(`${o.what}: gave up at the deadline (${describe(err)})`, err);
      const wait = Math.min(left, backoffMs(o.backoff ?? DEFAULT_BACKOFF, attempt));
      o.onRetry?.(err, wait, attempt);
      await clock.sleep(wait);
    }
  }
}

export const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));
