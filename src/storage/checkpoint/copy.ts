import type { BaseCheckpointSaver, ChannelVersions, CheckpointTuple } from '@langchain/langgraph-checkpoint';

/**
 * Copies one thread between any two savers (PostgresSaver to ours, ours to MemorySaver, ...): every
 * namespace, oldest checkpoint first, each with the versions of the channel values it holds and its
 * pending writes grouped by task in stored order. Re-running it rewrites the same rows. Returns the
 * copied checkpoint ids. The stored task path of a write is not part of the public tuple, so it is not
 * carried; neither is a write's original idx beyond its order within its task.
 */
export async function copyThread(
  from: BaseCheckpointSaver,
  to: BaseCheckpointSaver,
  threadId: string,
): Promise<string[]> {
  const configs: CheckpointTuple['config'][] = [];
  // Collect ids only (the tuples are read again one at a time), so memory grows with the id count.
  for await (const t of from.list({ configurable: { thread_id: threadId } })) configs.push(t.config);
  configs.reverse();
  const copied: string[] = [];
  for (const config of configs) {
    const t = await from.getTuple(config);
    if (!t) continue;
    const { thread_id, checkpoint_ns } = t.config.configurable ?? {};
    const versions: ChannelVersions = {};
    for (const [channel, v] of Object.entries(t.checkpoint.channel_versions))
      if (channel in t.checkpoint.channel_values) versions[channel] = v;
    const parentId = t.parentConfig?.configurable?.checkpoint_id as string | undefined;
    const stored = await to.put(
      { configurable: { thread_id, checkpoint_ns, ...(parentId ? { checkpoint_id: parentId } : {}) } },
      t.checkpoint,
      t.metadata ?? { source: 'update', step: -1, parents: {} },
      versions,
    );
    const byTask = new Map<string, [string, unknown][]>();
    for (const [task, channel, value] of t.pendingWrites ?? [])
      (byTask.get(task) ?? byTask.set(task, []).get(task)!).push([channel, value]);
    for (const [task, writes] of byTask) await to.putWrites(stored, writes, task);
    copied.push(t.checkpoint.id);
  }
  return copied;
}
