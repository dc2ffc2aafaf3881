import type { Redis } from '../clients/redis.ts';
import { pointerKey } from '../readmodels/generation.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import { kafkaClient } from '../clients/kafka.ts';
import { silentLogger } from '../log/log.ts';

/**
 * Removes everything one read-side configuration owns: its CDC topics, its consumer groups, and
 * its Redis keys (every generation and the pointer). For throwaway prefixes (validate's local run,
 * tests), never for a live deployment's.
 */
export async function dropReadSide(c: ReadSideConfig, redis: Redis, clientId: string): Promise<void> {
  const admin = kafkaClient(c.brokers, clientId, silentLogger).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${c.topicPrefix}.`));
    if (topics.length) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${c.group}.`));
    if (groups.length) await admin.deleteGroups(groups).catch(() => {});
  } finally {
    await admin.disconnect();
  }
  for await (const keys of redis.scanIterator({ MATCH: `${c.keyPrefix}:*`, COUNT: 1000 })) {
    const batch = keys as unknown as string[];
    if (batch.length) await redis.unlink(batch);
  }
  await redis.del(pointerKey(c.keyPrefix));
}
