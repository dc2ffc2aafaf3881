import type { Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { serveProbes } from '../util/probe-server.ts';

/**
 * Prometheus metrics of the projector, and the HTTP endpoints an orchestrator probes: /healthz
 * (the process works: the consumer has not crashed), /readyz (joined its group and Redis answers).
 */
export class ProjectorMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'agentstore_projector_events_total',
    help: 'CDC events consumed, by table and outcome (applied, duplicate = refused by the version guard, tombstone, heartbeat, dead_letter)',
    labelNames: ['table', 'outcome'],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'agentstore_projector_dead_letters_total',
    help: 'Events sent to the dead-letter topic, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'agentstore_projector_lag_messages',
    help: 'High watermark minus the next offset to apply, per partition',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly lastEventAge: Gauge;
  readonly batchSeconds = new Gauge({
    name: 'agentstore_projector_last_batch_seconds',
    help: 'Duration of the last applied batch',
    registers: [this.registry],
  });
  lastEventMs = 0;
  healthy = true;
  ready = false;
  /** Set by the projector: whether its Redis connection is up (readiness needs both Kafka and Redis). */
  redisUp: () => boolean = () => true;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const self = this;
    this.lastEventAge = new Gauge({
      name: 'agentstore_projector_last_event_age_seconds',
      help: 'Now minus the source time (ts_ms) of the last applied event',
      registers: [this.registry],
      // Computed at scrape time: the age keeps growing while nothing arrives.
      collect() {
        if (self.lastEventMs) this.set((Date.now() - self.lastEventMs) / 1000);
      },
    });
  }

  /** Serves /metrics, /healthz, /readyz; port 0 picks a free port (tests). */
  serve(port: number): Promise<{ server: Server; port: number }> {
    return serveProbes(port, {
      registry: this.registry,
      healthz: () => ({ ok: this.healthy, text: this.healthy ? 'ok' : 'consumer crashed' }),
      readyz: () => {
        const ready = this.ready && this.redisUp();
        return { ok: ready, text: ready ? 'ready' : this.ready ? 'redis down' : 'not in a consumer group yet' };
      },
    });
  }
}
