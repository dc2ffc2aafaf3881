import type { Consumer, EachBatchPayload, Message, Producer } from 'kafkajs';
import { decode, DecodeError } from '../cdc/envelope.ts';
import { applyChanges, EVENTS_PER_CALL, loadScript, RetiredGenerationError, type Change } from '../readmodels/apply.ts';
import type { Redis } from '../clients/redis.ts';
import { effectOf } from '../readmodels/effects.ts';
import { groupOf, prefixOf } from '../readmodels/generation.ts';
import { Keys } from '../readmodels/keys.ts';
import { cdcTopics } from '../cdc/topics.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import { ensureTopics, kafkaClient } from '../clients/kafka.ts';
import type { Logger } from '../log/log.ts';
import { redisClient } from '../clients/redis.ts';
import { deadLetter } from './dead-letter.ts';
import type { ProjectorMetrics } from './metrics.ts';

export interface ProjectorOptions {
  config: ReadSideConfig;
  /** The read-model generation to fill (keys <keyPrefix>:<generation>:, group <group>.<generation>). */
  generation: string;
  log: Logger;
  metrics: ProjectorMetrics;
  /** Called after each applied batch with the produce-to-visible delay of each message (bench). */
  onApplied?: (delaysMs: number[]) => void;
}

/**
 * Within a batch, each script call is issued (and the event loop yielded, so node-redis writes it) as
 * soon as its EVENTS_PER_CALL events are decoded: Redis applies them while the rest decodes.
 */
const FLUSH_EVENTS = EVENTS_PER_CALL;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * CDC topics -> Redis read models. Delivery is at least once: a batch's offsets are committed only
 * after all of its Redis effects (and dead letters) are acknowledged, so a crash re-delivers at most
 * the uncommitted batch, and the per-row version guard turns those re-deliveries into no-ops.
 */
export class Projector {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private redis: Redis | undefined;
  private keys: Keys;
  private retired = false;
  readonly group: string;

  constructor(private readonly o: ProjectorOptions) {
    this.keys = new Keys(prefixOf(o.config.keyPrefix, o.generation));
    this.group = groupOf(o.config.group, o.generation);
  }

  get cdcTopics(): string[] {
    return cdcTopics(this.o.config);
  }

  async start(): Promise<void> {
    const { config, log, metrics } = this.o;
    // A write buffer that holds a batch's queued script calls: with Node's 16 KiB, node-redis writes
    // about one call per event-loop turn and Redis falls behind the decoding (measured: ~200 ms of
    // waiting per 12,000-event fetch, about a third of the time).
    this.redis = redisClient(config, { writeBufferBytes: 4 << 20 });
    this.redis.on('error', (err: Error) => log.log('warn', 'redis connection error', { error: err.message }));
    await this.redis.connect();
    await loadScript(this.redis);
    const redis = this.redis;
    metrics.redisUp = () => redis.isReady;
    const kafka = kafkaClient(config.brokers, `agentstore-projector-${this.o.generation}`, log);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [...this.cdcTopics, config.deadLetterTopic]);
    } finally {
      await admin.disconnect();
    }
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    // A 10 s session (kafkajs default 30 s): a killed projector's partitions move to its replacement sooner.
    this.consumer = kafka.consumer({
      groupId: this.group,
      maxBytesPerPartition: config.fetchMaxBytes,
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 1000,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      metrics.ready = true;
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      metrics.healthy = e.payload.restart;
      metrics.ready = false;
      log.log('error', 'consumer crashed', { error: e.payload.error.message, restart: e.payload.restart });
    });
    await this.consumer.connect();
    // Every table topic of the keyspace, so an unexpected table lands in the dead letters instead of being unread.
    await this.consumer.subscribe({
      topics: [new RegExp(`^${escape(config.topicPrefix)}\\.${escape(config.keyspace)}\\.`)],
      fromBeginning: true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 2,
      eachBatch: (p) => this.batch(p),
    });
    log.log('info', 'projector started', { group: this.group, prefix: this.keys.prefix, topics: this.cdcTopics });
  }

  private async batch({ batch, heartbeat, isRunning, isStale, pause, resolveOffset }: EachBatchPayload): Promise<void> {
    const { config, metrics } = this.o;
    if (!batch.messages.length || !isRunning() || isStale()) return;
    const started = performance.now();
    const changes: Change[] = [];
    const tables: string[] = [];
    const applied: Promise<boolean[]>[] = [];
    const dead: Message[] = [];
    const table = batch.topic.split('.').pop() ?? batch.topic;
    let lastSourceMs = 0;
    let sent = 0;
    const messages = batch.messages;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      try {
        const d = decode(batch.topic, m.value, config);
        if (d.kind !== 'change') {
          metrics.events.inc({ table, outcome: d.kind });
        } else {
          const effect = effectOf(this.keys, d.event);
          if (d.event.tsMs > lastSourceMs) lastSourceMs = d.event.tsMs;
          changes.push({ tsUs: d.event.tsUs, effect });
          tables.push(d.event.table);
        }
      } catch (err) {
        // Decoding and effects are pure: an error there is about this message (or a projector bug), and
        // retrying cannot fix it, so it is parked with its reason instead of blocking the partition.
        // Redis and Kafka I/O errors are not caught here: they fail the batch, which is retried.
        const reason = err instanceof DecodeError ? err.kind : 'projector-error';
        dead.push(deadLetter(batch.topic, batch.partition, m, reason, (err as Error).message));
        metrics.events.inc({ table, outcome: 'dead_letter' });
        metrics.deadLetters.inc({ reason });
        this.o.log.log('warn', 'dead letter', {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          reason,
          error: (err as Error).message,
        });
      }
      // Redis applies the first events while the rest are decoded: the calls are issued in order on one
      // connection (so Redis runs them in order), and yielding lets node-redis write them now.
      if (changes.length - sent >= FLUSH_EVENTS && i < messages.length - 1) {
        const call = applyChanges(this.redis!, this.keys, changes.slice(sent));
        // Handled here so a Redis error during the decoding is not an unhandled rejection (which ends
        // the process); the batch still fails on it below, at Promise.all, and is retried.
        call.catch(() => {});
        applied.push(call);
        sent = changes.length;
        await new Promise((r) => setImmediate(r));
      }
    }
    if (changes.length > sent) applied.push(applyChanges(this.redis!, this.keys, changes.slice(sent)));
    let results: boolean[];
    try {
      results = (await Promise.all(applied)).flat();
    } catch (err) {
      if (!(err instanceof RetiredGenerationError)) throw err;
      // A rebuild switched generations and dropped this one: nothing is committed here, the
      // partition waits, and the pointer watch (run.ts) moves this process to the new generation,
      // whose group the rebuild left caught up.
      if (!this.retired)
        this.o.log.log('warn', 'generation retired: waiting to follow the pointer', { group: this.group });
      this.retired = true;
      pause();
      return;
    }
    // Counted per batch, not per event: labelled increments are a visible share of the CPU per event.
    const counts = new Map<string, number>();
    results.forEach((ok, i) => {
      const k = `${tables[i]!} ${ok ? 'applied' : 'duplicate'}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    });
    for (const [k, n] of counts) {
      const [t, outcome] = k.split(' ') as [string, string];
      metrics.events.inc({ table: t, outcome }, n);
    }
    if (dead.length) await this.producer!.send({ topic: config.deadLetterTopic, messages: dead });
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    // Commit only what Redis (and the dead-letter topic) acknowledged: at least once, never lost.
    await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    // kafkajs fetches the next batch from the resolved offset, not the committed one.
    resolveOffset(batch.lastOffset());
    this.o.onApplied?.(batch.messages.map((m) => Date.now() - Number(m.timestamp)));
    if (lastSourceMs) metrics.lastEventMs = Math.max(metrics.lastEventMs, lastSourceMs);
    metrics.lag.set(
      { topic: batch.topic, partition: String(batch.partition) },
      Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next))),
    );
    metrics.batchSeconds.set((performance.now() - started) / 1000);
    await heartbeat();
  }

  /** Graceful: kafkajs lets the in-flight batch finish (and commit) before it leaves the group. */
  async stop(): Promise<void> {
    this.o.metrics.ready = false;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.redis?.quit().catch(() => {});
    this.o.log.log('info', 'projector stopped', { group: this.group });
  }
}
