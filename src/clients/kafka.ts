import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from '../log/log.ts';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

// kafkajs 2.2.4, its last release, arms a timer with a negative delay on every connection, which Node 24
// reports as a TimeoutNegativeWarning on stderr (kafkajs#1751, open): plain text in the projector's JSON
// log, on every start. Node clamps such a delay to 1 ms, as every earlier Node did silently, so that one
// warning type is dropped where it is raised; every other warning goes out as before.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === 'TimeoutNegativeWarning') return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

/** A kafkajs client whose own logs go through our JSON logger (warnings and errors only). */
export function kafkaClient(brokers: string[], clientId: string, log: Logger): Kafka {
  const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
    [logLevel.ERROR]: 'error',
    [logLevel.WARN]: 'warn',
    [logLevel.INFO]: 'info',
    [logLevel.DEBUG]: 'debug',
  };
  return new Kafka({
    brokers,
    clientId,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const { message, timestamp: _t, logger: _l, ...fields } = entry;
        log.log(levels[level] ?? 'info', message, { component: `kafkajs.${namespace}`, ...fields });
      },
  });
}

/** Creates missing topics (existing ones are left as they are). */
export async function ensureTopics(admin: Admin, topics: string[], partitions = 3): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (!missing.length) return;
  try {
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
      waitForLeaders: true,
    });
  } catch (err) {
    // Another process created it between our list and create: fine.
    if (!String((err as Error).message).includes('already exists')) throw err;
  }
}

/** Messages not yet committed by `group` on `topics` (0 = caught up with everything produced so far). */
export async function groupLag(admin: Admin, group: string, topics: string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId: group, topics });
  let lag = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const p of ends) {
      const at = Number(done.find((d) => d.partition === p.partition)?.offset ?? '-1');
      lag += Number(p.high) - (at < 0 ? Number(p.low) : at);
    }
  }
  return lag;
}
