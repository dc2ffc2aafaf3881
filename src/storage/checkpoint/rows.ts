import {
  maxChannelVersion,
  TASKS,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import type { Row } from '../../cql/executor.ts';
import { decodeCell, encodeCell, type Codec } from './codec.ts';
import type { Settings } from './options.ts';
import type { Statements } from './statements.ts';
import { readChannelValues, readPendingWrites, type NsKey } from './values.ts';

/** The checkpoint row's parameters: the checkpoint without channel_values (those are blobs), and its metadata. */
export async function checkpointRowParams(
  s: Settings,
  serde: SerializerProtocol,
  key: NsKey,
  checkpoint: Checkpoint,
  metadata: CheckpointMetadata,
  parentId: string | undefined,
): Promise<{ query: 'insertCheckpoint' | 'insertCheckpointWithParent'; params: unknown[] }> {
  const { channel_values: _values, ...rest } = checkpoint;
  const [[cType, cBytes], [mType, mBytes]] = await Promise.all([serde.dumpsTyped(rest), serde.dumpsTyped(metadata)]);
  const codec: Codec = cBytes.length + mBytes.length > s.compressAboveBytes ? 'gzip' : 'none';
  const [c, m] = await Promise.all([
    encodeCell('checkpoint', cBytes, s, codec),
    encodeCell('metadata', mBytes, s, codec),
  ]);
  const params: unknown[] = [...key, checkpoint.id, cType, c, mType, m, codec, c.length + m.length];
  return parentId
    ? { query: 'insertCheckpointWithParent', params: [...params, parentId] }
    : { query: 'insertCheckpoint', params };
}

/** What list's filter reads before it decides to build the whole tuple. */
export async function metadataOf(serde: SerializerProtocol, row: Row): Promise<CheckpointMetadata> {
  const bytes = await decodeCell(row['codec'] as string, row['metadata'] as Buffer);
  return (await serde.loadsTyped(row['metadata_type'] as string, bytes)) as CheckpointMetadata;
}

export async function checkpointOf(serde: SerializerProtocol, row: Row): Promise<Checkpoint> {
  const bytes = await decodeCell(row['codec'] as string, row['checkpoint'] as Buffer);
  return (await serde.loadsTyped(row['checkpoint_type'] as string, bytes)) as Checkpoint;
}

const configOf = (key: NsKey, id: string) => ({
  configurable: { thread_id: key[1], checkpoint_ns: key[2], checkpoint_id: id },
});

/** A stored row and what it references (channel blobs, pending writes) as a CheckpointTuple. */
export async function tupleOf(
  s: Settings,
  q: Statements,
  serde: SerializerProtocol,
  key: NsKey,
  row: Row,
  metadata?: CheckpointMetadata,
  nextVersion: () => string | number = () => 1,
): Promise<CheckpointTuple> {
  const id = row['checkpoint_id'] as string;
  const parentId = (row['parent_checkpoint_id'] as string | null) ?? undefined;
  const stored = await checkpointOf(serde, row);
  const versions = { ...(stored.channel_versions ?? {}) };
  const [channelValues, pendingWrites, meta] = await Promise.all([
    readChannelValues(s, q, serde, key, versions),
    readPendingWrites(s, q, serde, key, id),
    metadata ?? metadataOf(serde, row),
  ]);
  const checkpoint: Checkpoint = {
    ...stored,
    channel_values: channelValues,
    channel_versions: versions,
    versions_seen: stored.versions_seen ?? {},
  };
  // Checkpoints before format 4 kept Send packets as the parent's TASKS writes: moved into the
  // checkpoint on read, as the official savers do (PostgresSaver _migratePendingSends).
  if (checkpoint.v < 4 && parentId) {
    const sends = await readPendingWrites(s, q, serde, key, parentId, TASKS);
    if (sends.length) {
      checkpoint.channel_values[TASKS] = sends.map((w) => w[2]);
      const current = Object.values(checkpoint.channel_versions);
      checkpoint.channel_versions[TASKS] = current.length ? maxChannelVersion(...current) : nextVersion();
    }
  }
  return {
    config: configOf(key, id),
    checkpoint,
    metadata: meta,
    ...(parentId ? { parentConfig: configOf(key, parentId) } : {}),
    pendingWrites,
  };
}

/** Postgres' `metadata @> filter`: every key of the filter is in the metadata with a containing value. */
export function contains(value: unknown, filter: unknown): boolean {
  if (filter === null || typeof filter !== 'object') return Object.is(value, filter) || value === filter;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(filter)) {
    if (!Array.isArray(value)) return false;
    return filter.every((f) => value.some((v) => contains(v, f)));
  }
  return Object.entries(filter).every(([k, f]) => contains((value as Record<string, unknown>)[k], f));
}
