import { kafkaClient } from '../clients/kafka.ts';
import { cdcTopics } from '../cdc/topics.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import { jsonLogger } from '../log/log.ts';
import type { KafkaOffsets } from './manifest.ts';

/**
 * The CDC topics' end offsets and the projector group's committed offsets, for the manifest: after a
 * restore to the backup's time the topics hold later events the restored rows have not been through,
 * so the read models are rebuilt from the database and the projector resumes from the offsets taken
 * before that scan (docs/backup.md, the runbook). Missing topics are recorded as absent, not an error.
 */
export async function kafkaOffsets(readSide: ReadSideConfig, keyspace: string): Promise<KafkaOffsets> {
  const kafka = kafkaClient(readSide.brokers, 'agentstore-backup', jsonLogger({ component: 'backup' }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = cdcTopics({ topicPrefix: readSide.topicPrefix, keyspace }).filter((t) => existing.has(t));
    const ends: KafkaOffsets['topics'] = {};
    for (const topic of topics) {
      ends[topic] = Object.fromEntries(
        (await admin.fetchTopicOffsets(topic)).map((p) => [String(p.partition), p.offset]),
      );
    }
    // Each read-model generation consumes as <group>.<generation> (src/config/read-side.ts).
    const ids = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((id) => id === readSide.group || id.startsWith(`${readSide.group}.`))
      .sort();
    const groups: KafkaOffsets['groups'] = [];
    for (const id of topics.length ? ids : []) {
      const offsets: KafkaOffsets['groups'][number]['offsets'] = {};
      for (const t of await admin.fetchOffsets({ groupId: id, topics })) {
        offsets[t.topic] = Object.fromEntries(t.partitions.map((p) => [String(p.partition), p.offset]));
      }
      groups.push({ id, offsets });
    }
    return { topics: ends, groups, at: new Date().toISOString() };
  } finally {
    await admin.disconnect();
  }
}
