import { stringify } from 'lossless-json';
import type { Message, Producer } from 'kafkajs';
import {
  applied,
  type CqlExecutor,
  type QueryOptions,
  type ResultPage,
  type Row,
  type Statement,
} from '../../cql/executor.ts';
import { cdcTopics, topicOf } from '../topics.ts';
import { ensureTopics, kafkaClient } from '../../clients/kafka.ts';
import type { Logger } from '../../log/log.ts';
import { encodeKey, readImage } from './images.ts';
import { BufferedPublisher } from './publisher.ts';
import { cdcWriteOf, rowId, type CdcWrite } from './statements.ts';

/**
 * CDC STAND-IN for ScyllaDB CDC + the ScyllaDB CDC Source Connector, which cannot run here. A
 * CqlExecutor decorator: every write to a CDC-enabled table is also published as the connector
 * would publish it (advanced format, before/after full, JSON without schemas, topic
 * <topicPrefix>.<keyspace>.<table>, key = primary key, tombstone after a delete). Differences from
 * the real thing are listed in docs/read-side.md; the projector must not rely on any of them.
 */
export interface StandinOptions {
  topicPrefix: string;
  log: Logger;
}

export class CdcStandinExecutor implements CqlExecutor {
  private readonly locks = new Map<string, Promise<void>>();
  private lastUs = 0n;

  private constructor(
    private readonly inner: CqlExecutor,
    private readonly producer: Producer,
    private readonly publisher: BufferedPublisher,
    private readonly o: StandinOptions,
  ) {}

  static async open(
    inner: CqlExecutor,
    brokers: string[],
    keyspace: string,
    o: StandinOptions,
  ): Promise<CdcStandinExecutor> {
    const kafka = kafkaClient(brokers, 'agentstore-cdc-standin', o.log);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, cdcTopics({ topicPrefix: o.topicPrefix, keyspace }));
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    o.log.log('info', 'CDC stand-in publishing (not the ScyllaDB connector)', { topicPrefix: o.topicPrefix, keyspace });
    return new CdcStandinExecutor(inner, producer, new BufferedPublisher(producer), o);
  }

  get published(): number {
    return this.publisher.published;
  }

  async execute(query: string, params: unknown[] = [], options: QueryOptions = {}): Promise<ResultPage> {
    return this.run({ query, params }, options);
  }

  async run<R extends Row>(statement: Statement<R>, options: QueryOptions = {}): Promise<ResultPage<R>> {
    const w = cdcWriteOf(statement);
    if (!w) return this.inner.run(statement, options);
    let result!: ResultPage<R>;
    await this.tracked([w], async () => {
      result = await this.inner.run(statement, options);
      // A lightweight transaction that did not apply wrote nothing: no change event.
      return !w.lwt || applied(result);
    });
    return result;
  }

  async batch(statements: Statement[]): Promise<void> {
    const writes = statements.map(cdcWriteOf).filter((w): w is CdcWrite => w !== null);
    if (!writes.length) return this.inner.batch(statements);
    await this.tracked(writes, async () => {
      await this.inner.batch(statements);
      return true;
    });
  }

  /** Locks the rows (sorted: no deadlock), reads preimages, writes, reads postimages, publishes, unlocks. */
  private async tracked(writes: CdcWrite[], write: () => Promise<boolean>): Promise<void> {
    const ids = [...new Set(writes.map(rowId))].sort();
    const release = await this.lock(ids);
    try {
      const before = await Promise.all(writes.map((w) => readImage(this.inner, w)));
      if (!(await write())) return;
      const after = await Promise.all(writes.map((w) => (w.kind === 'delete' ? null : readImage(this.inner, w))));
      const messages = writes.flatMap((w, i) => this.events(w, before[i]!, after[i]!));
      await this.publisher.publish(messages);
    } finally {
      release();
    }
  }

  private async lock(ids: string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const id of ids) {
      const prev = this.locks.get(id) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const chained = prev.then(() => mine);
      this.locks.set(id, chained);
      await prev;
      releases.push(() => {
        release();
        if (this.locks.get(id) === chained) this.locks.delete(id);
      });
    }
    return () => releases.forEach((r) => r());
  }

  /** ScyllaDB stamps a change with its write timestamp: USING TIMESTAMP if given, else the coordinator's clock. */
  private changeTimeUs(w: CdcWrite): bigint {
    if (w.writeTimeUs !== undefined) return w.writeTimeUs;
    const now = BigInt(Date.now()) * 1000n;
    this.lastUs = now > this.lastUs ? now : this.lastUs + 1n;
    return this.lastUs;
  }

  private events(
    w: CdcWrite,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
  ): { topic: string; message: Message }[] {
    // A write shadowed by a newer delete (its timestamp is older) leaves no row: nothing changed that
    // a reader could see. ScyllaDB would log it; the projector's guard would then refuse it as older.
    if (w.kind !== 'delete' && !after) return [];
    const tsUs = this.changeTimeUs(w);
    const key = encodeKey(w.key);
    const keyText = stringify(key)!;
    const topic = topicOf({ topicPrefix: this.o.topicPrefix, keyspace: w.keyspace }, w.table);
    const op = w.kind === 'delete' ? 'd' : w.kind === 'insert' ? 'c' : 'u';
    const nowMs = Date.now();
    const envelope = {
      source: {
        version: 'cdc-standin',
        connector: 'scylla',
        name: this.o.topicPrefix,
        ts_ms: Number(tsUs / 1000n),
        ts_us: tsUs,
        ts_ns: tsUs * 1000n,
        snapshot: 'false',
        db: w.keyspace,
        keyspace_name: w.keyspace,
        table_name: w.table,
      },
      before: w.kind === 'insert' && !before ? null : before,
      after,
      key,
      op,
      ts_ms: nowMs,
      ts_us: BigInt(nowMs) * 1000n,
      ts_ns: BigInt(nowMs) * 1_000_000n,
      transaction: null,
    };
    const out = [{ topic, message: { key: keyText, value: stringify(envelope)! } }];
    if (op === 'd') out.push({ topic, message: { key: keyText, value: null as unknown as string } });
    return out;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
    this.o.log.log('info', 'CDC stand-in closed', { published: this.published });
  }
}
