import type { Message, Producer } from 'kafkajs';

/**
 * CDC STAND-IN: batches the stand-in's events into few produce requests. A write's promise resolves
 * only when its events are acknowledged by Kafka (acks=all), so a write the caller saw succeed is
 * in the feed. Sends go one at a time, in the order writes finished: with the per-row lock this
 * keeps a row's events in write order, as the connector does per stream.
 */
interface Pending {
  topic: string;
  message: Message;
  done: () => void;
  fail: (e: Error) => void;
}

export class BufferedPublisher {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  published = 0;

  constructor(
    private readonly producer: Producer,
    private readonly maxBatch = 2000,
  ) {}

  publish(items: { topic: string; message: Message }[]): Promise<void> {
    if (!items.length) return Promise.resolve();
    const all = items.map((it) => new Promise<void>((done, fail) => this.queue.push({ ...it, done, fail })));
    this.flushing ??= this.drain();
    return Promise.all(all).then(() => undefined);
  }

  private async drain(): Promise<void> {
    // Let concurrent writers add to the batch before the first send.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      const byTopic = new Map<string, Message[]>();
      for (const p of batch) (byTopic.get(p.topic) ?? byTopic.set(p.topic, []).get(p.topic)!).push(p.message);
      try {
        await this.producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          acks: -1,
        });
        this.published += batch.length;
        for (const p of batch) p.done();
      } catch (err) {
        for (const p of batch) p.fail(err as Error);
      }
    }
    this.flushing = undefined;
  }
}
