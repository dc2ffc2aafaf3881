/**
 * Watches one connector after its registration: polls its status, restarts failed parts with
 * backoff (POST /connectors/<name>/restart?includeTasks=true&onlyFailed=true), and exports what it
 * saw as Prometheus metrics and a readiness signal (ready = connector and every task RUNNING).
 * It never registers or changes the config: that is the registration Job's, so a config fix goes
 * through `helm upgrade` and one writer.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { realClock, type Clock } from '../util/clock.ts';
import { CONNECTOR_STATES, health, traces, unreachable, type Health } from './health.ts';
import { ConnectHttpError, type ConnectClient } from './rest.ts';
import { DEFAULT_BACKOFF, backoffMs, describe, type Backoff } from './retry.ts';

export class ConnectorMetrics {
  readonly registry = new Registry();
  readonly up: Gauge;
  readonly state: Gauge;
  readonly tasks: Gauge;
  readonly restarts: Counter;
  readonly lastCheck: Gauge;

  constructor(readonly connector: string) {
    collectDefaultMetrics({ register: this.registry });
    const labelNames = ['connector'] as const;
    const registers = [this.registry];
    this.up = new Gauge({
      name: 'agentstore_connector_up',
      help: '1 when the connector and every task are RUNNING, else 0 (alert on it)',
      labelNames,
      registers,
    });
    this.state = new Gauge({
      name: 'agentstore_connector_state',
      help: "1 for the connector's current state (MISSING: not registered; UNREACHABLE: no REST answer), 0 for the others",
      labelNames: ['connector', 'state'],
      registers,
    });
    this.tasks = new Gauge({
      name: 'agentstore_connector_tasks',
      help: 'Tasks of the connector by state',
      labelNames: ['connector', 'state'],
      registers,
    });
    this.restarts = new Counter({
      name: 'agentstore_connector_restarts_total',
      help: 'Restarts of failed parts requested by the supervisor',
      labelNames,
      registers,
    });
    this.lastCheck = new Gauge({
      name: 'agentstore_connector_last_check_timestamp_seconds',
      help: 'When the supervisor last asked Connect for the status',
      labelNames,
      registers,
    });
    this.restarts.inc({ connector }, 0);
  }

  record(h: Health, nowMs: number): void {
    const connector = this.connector;
    this.up.set({ connector }, h.up ? 1 : 0);
    for (const s of CONNECTOR_STATES) {
      this.state.set({ connector, state: s }, s === h.state ? 1 : 0);
      this.tasks.set({ connector, state: s }, h.tasks.filter((t) => t === s).length);
    }
    this.lastCheck.set({ connector }, nowMs / 1000);
  }
}

export interface SuperviseOptions {
  name: string;
  intervalMs: number;
  backoff?: Backoff;
  clock?: Clock;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export class ConnectorSupervisor {
  readonly metrics: ConnectorMetrics;
  last: Health = unreachable('not checked yet');
  lastCheckMs = 0;
  restarts = 0;
  /** Restarts since the connector was last up: the backoff grows with them. */
  private failing = 0;
  private nextRestartMs = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly clock: Clock;
  private readonly backoff: Backoff;

  constructor(
    private readonly client: ConnectClient,
    private readonly o: SuperviseOptions,
  ) {
    this.metrics = new ConnectorMetrics(o.name);
    this.clock = o.clock ?? realClock;
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
  }

  /** One look at the connector, and a restart if it failed and its backoff has passed. */
  async check(): Promise<Health> {
    const now = this.clock.now();
    let h: Health;
    try {
      h = health(await this.client.status(this.o.name));
    } catch (err) {
      h = unreachable(err instanceof ConnectHttpError ? err.detail : describe(err));
    }
    if (h.summary !== this.last.summary)
      this.o.log(h.up ? 'info' : 'warn', `connector ${this.o.name}: ${h.summary}`, { state: h.state });
    if (h.up) this.failing = 0;
    if (h.failed.length && now >= this.nextRestartMs) await this.restart(h, now);
    this.last = h;
    this.lastCheckMs = now;
    this.metrics.record(h, now);
    return h;
  }

  private async restart(h: Health, now: number): Promise<void> {
    this.failing++;
    this.nextRestartMs = now + backoffMs(this.backoff, this.failing);
    try {
      await this.client.restartFailed(this.o.name);
      this.restarts++;
      this.metrics.restarts.inc({ connector: this.o.name });
      this.o.log('warn', `restarted the failed parts of ${this.o.name}`, {
        failed: h.failed.map((f) => f.what),
        restart: this.failing,
        nextRestartInS: Math.round((this.nextRestartMs - now) / 1000),
        trace: traces(h, 5).join('\n'),
      });
    } catch (err) {
      this.o.log('error', `restart of ${this.o.name} failed`, { error: describe(err) });
    }
  }

  /** Checks every intervalMs until stop(). */
  async run(): Promise<void> {
    while (!this.stopped) {
      await this.check();
      if (this.stopped) break;
      await Promise.race([this.clock.sleep(this.o.intervalMs), new Promise<void>((r) => (this.wake = r))]);
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Alive while checks keep coming: a stuck loop (three intervals and a request timeout late) is not. */
  alive(nowMs: number, requestTimeoutMs: number): boolean {
    return this.lastCheckMs === 0 || nowMs - this.lastCheckMs < 3 * this.o.intervalMs + requestTimeoutMs;
  }
}
