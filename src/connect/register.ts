/**
 * Registering a connector so that a `helm upgrade` is safe to repeat:
 * 1. wait for the worker's REST API;
 * 2. validate the config with the plugin (PUT /connector-plugins/<class>/config/validate) before
 *    anything is stored, retrying while the only complaint is a known transient one (the ScyllaDB
 *    connector's "Unable to connect to Scylla cluster", scylla-cdc-source-connector#212);
 * 3. compare with the stored config (GET) and PUT only if it differs: Connect restarts a connector
 *    on every PUT, even of the same config;
 * 4. wait until the connector and its tasks are RUNNING, restarting failed parts with backoff.
 * Each step retries transient errors (./retry.ts) until one deadline.
 */
import { realClock, type Clock } from '../util/clock.ts';
import { health, traces, type Health } from './health.ts';
import { ConnectHttpError, type ConnectClient, type ConnectorConfig, type FieldErrors } from './rest.ts';
import {
  DEFAULT_BACKOFF,
  DeadlineError,
  NO_SUCH_PLUGIN,
  backoffMs,
  describe,
  isTransient,
  isTransientMessage,
  retry,
  type Backoff,
} from './retry.ts';

/** A failure with what to do about it; the CLI prints both and exits 1. */
export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    message: string,
    readonly fix: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** The plugin's validation refused the config for a reason that waiting will not change. */
class InvalidConfig extends Error {
  constructor(readonly fields: FieldErrors[]) {
    super(fields.map((f) => `${f.field}: ${f.errors.join('; ')}`).join(' | '));
  }
}

/** Validation found only transient errors: retried like a transient HTTP error. */
class TransientInvalid extends Error {}

export interface RegisterOptions {
  name: string;
  config: ConnectorConfig;
  /** Epoch ms by which the connector must be RUNNING. */
  deadline: number;
  log: (line: string) => void;
  backoff?: Backoff;
  /** Between status polls while waiting for RUNNING. */
  pollMs?: number;
  clock?: Clock;
}

type Outcome = 'created' | 'updated' | 'unchanged';

export interface Registered {
  outcome: Outcome;
  restarts: number;
  health: Health;
}

/** The stored config equals the wanted one (Connect stores the name as a key of its own). */
export function sameConfig(stored: ConnectorConfig, wanted: ConnectorConfig, name: string): boolean {
  const want: ConnectorConfig = { ...wanted, name };
  const keys = new Set([...Object.keys(stored), ...Object.keys(want)]);
  return [...keys].every((k) => stored[k] === want[k]);
}

export async function registerConnector(client: ConnectClient, o: RegisterOptions): Promise<Registered> {
  const clock = o.clock ?? realClock;
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  const step = (what: string) => ({
    what,
    deadline: o.deadline,
    backoff,
    clock,
    transient: (err: unknown) => err instanceof TransientInvalid || isTransient(err),
    onRetry: (err: unknown, waitMs: number, attempt: number) =>
      o.log(`${what}: ${describe(err)}; try ${attempt + 1} in ${Math.round(waitMs / 1000)} s`),
  });
  try {
    o.log(`Kafka Connect: ${client.base}`);
    await retry(() => client.connectors(), step('waiting for the REST API'));

    await retry(async () => {
      const invalid = await client.validate(o.name, o.config);
      if (invalid.length === 0) return;
      const messages = invalid.flatMap((f) => f.errors);
      if (messages.every(isTransientMessage)) throw new TransientInvalid(`validation: ${messages.join('; ')}`);
      throw new InvalidConfig(invalid);
    }, step('validating the config'));
    o.log('config valid');

    const stored = await retry(() => client.config(o.name), step('reading the stored config'));
    let outcome: Outcome = 'unchanged';
    if (stored && sameConfig(stored, o.config, o.name)) {
      o.log(`connector ${o.name}: config unchanged, not rewritten (a PUT would restart it)`);
    } else {
      const { created } = await retry(() => client.putConfig(o.name, o.config), step('writing the config'));
      outcome = created ? 'created' : 'updated';
      o.log(`connector ${o.name} ${outcome}`);
    }

    const running = await awaitRunning(client, o, clock, backoff);
    return { outcome, ...running };
  } catch (err) {
    throw explain(err, o.name, client.base);
  }
}

/** Polls the status until up, restarting failed parts with backoff; the deadline ends it. */
async function awaitRunning(
  client: ConnectClient,
  o: RegisterOptions,
  clock: Clock,
  backoff: Backoff,
): Promise<{ restarts: number; health: Health }> {
  let restarts = 0;
  let nextRestart = 0;
  let last: Health | undefined;
  for (;;) {
    try {
      last = health(await client.status(o.name));
      if (last.up) {
        o.log(`connector ${o.name} is RUNNING (${last.summary})`);
        return { restarts, health: last };
      }
      o.log(last.summary);
      if (last.failed.length && clock.now() >= nextRestart) {
        restarts++;
        o.log(`restarting the failed parts (${last.failed.map((f) => f.what).join(', ')}), restart ${restarts}`);
        for (const line of traces(last, 5)) o.log(line);
        await client.restartFailed(o.name);
        nextRestart = clock.now() + backoffMs(backoff, restarts);
      }
    } catch (err) {
      if (!isTransient(err)) throw err;
      o.log(`status: ${describe(err)}`);
    }
    const left = o.deadline - clock.now();
    if (left <= 0) {
      throw new ConnectorError(
        `connector ${o.name} not RUNNING by the deadline (${last?.summary ?? 'no status'}${restarts ? `, after ${restarts} restart(s)` : ''})`,
        last?.failed.length
          ? 'fix the cause in the trace below (often ScyllaDB not reachable from Connect, or a table without CDC), then run this again'
          : "check the Connect worker's log; raise the deadline (--timeout, the chart's connector.timeoutSeconds) if the worker is slow to start tasks",
        last ? traces(last) : [],
      );
    }
    await clock.sleep(Math.min(left, o.pollMs ?? 5_000));
  }
}

/** Turns what went wrong into one cause and its fix. */
function explain(err: unknown, name: string, base: string): Error {
  if (err instanceof ConnectorError) return err;
  if (err instanceof InvalidConfig)
    return new ConnectorError(
      `connector ${name}: the plugin refused the config`,
      'correct the fields below (the chart: connector.* and connector.extraConfig)',
      err.fields.map((f) => `${f.field}: ${f.errors.join('; ')}`),
    );
  if (err instanceof DeadlineError) {
    const last = err.last;
    if (last instanceof ConnectHttpError && last.status === 0)
      return new ConnectorError(
        `Kafka Connect at ${base} did not answer by the deadline (${last.detail})`,
        'check that the Connect pod is running and its Service resolves; raise --timeout if the worker is slow to start',
      );
    return new ConnectorError(
      err.message,
      'the last error above is transient but did not clear in time: check ScyllaDB and Connect, then run this again',
    );
  }
  if (err instanceof ConnectHttpError)
    return new ConnectorError(
      err.message,
      NO_SUCH_PLUGIN.test(err.detail)
        ? `the connector plugin is not installed on the worker: check GET ${base}/connector-plugins and the worker's plugin.path (the chart: connect.plugin.url)`
        : 'the worker refused the request: see its message above',
    );
  return err instanceof Error ? err : new Error(String(err));
}
