import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import type { Redis } from '../../src/clients/redis.ts';
import { readSideConfig, type ReadSideConfig } from '../../src/config/read-side.ts';
import { waitCaughtUp as waitUntilCaughtUp } from '../../src/projector/catch-up.ts';
import { dropReadSide } from '../../src/projector/cleanup.ts';

/** A read-side config of its own per test file: topics, consumer group and Redis keys never collide. */
export function testReadSide(name: string, keyspace = 'agentstore'): ReadSideConfig {
  const id = `${name}${randomBytes(3).toString('hex')}`;
  return readSideConfig({
    AGENTSTORE_TOPIC_PREFIX: `t_${id}`,
    AGENTSTORE_KEYSPACE: keyspace,
    AGENTSTORE_CONSUMER_GROUP: `t_${id}`,
    AGENTSTORE_REDIS_PREFIX: `t_${id}`,
    AGENTSTORE_METRICS_PORT: '0',
  });
}

export const envOf = (c: ReadSideConfig): Record<string, string> => ({
  AGENTSTORE_KAFKA: c.brokers.join(','),
  AGENTSTORE_REDIS: c.redisUrl,
  AGENTSTORE_TOPIC_PREFIX: c.topicPrefix,
  AGENTSTORE_KEYSPACE: c.keyspace,
  AGENTSTORE_CONSUMER_GROUP: c.group,
  AGENTSTORE_REDIS_PREFIX: c.keyPrefix,
  AGENTSTORE_DEAD_LETTER_TOPIC: c.deadLetterTopic,
  AGENTSTORE_METRICS_PORT: '0',
  AGENTSTORE_FETCH_MAX_BYTES: String(c.fetchMaxBytes),
});

export async function redisOf(c: ReadSideConfig): Promise<Redis> {
  const r = createClient({ url: c.redisUrl });
  await r.connect();
  return r;
}

/** Waits until the projector has applied everything produced to the CDC topics. */
export const waitCaughtUp = (c: ReadSideConfig, redis: Redis, timeoutMs = 90_000): Promise<void> =>
  waitUntilCaughtUp(c, redis, { timeoutMs, clientId: 'test-lag' });

/** Deletes the test's topics, consumer groups and Redis keys. */
export const cleanupReadSide = (c: ReadSideConfig, redis: Redis): Promise<void> =>
  dropReadSide(c, redis, 'test-cleanup');

/** Every key of a generation with its content, in a canonical form: two equal snapshots = equal read models. */
export async function snapshot(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 }))
    keys.push(...(batch as unknown as string[]));
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    if (type === 'hash') out[key] = Object.entries(await redis.hGetAll(key)).sort();
    else if (type === 'zset') out[key] = (await redis.zRangeWithScores(key, 0, -1)).map((m) => `${m.score} ${m.value}`);
    else if (type === 'set') out[key] = (await redis.sMembers(key)).sort();
    else out[key] = await redis.get(key);
  }
  return out;
}
