import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint';
import { dayOf } from '../../domain/model.ts';
import { ValidationError } from '../../domain/errors.ts';
import { bucketOfId } from '../../schema/buckets.ts';
import { forEachBounded } from '../../util/bounded.ts';
import { listTuples, namespacesOf, THREAD_BUCKETS, threadsOf } from './list.ts';
import { prune, stats, sweepIdle, type PruneReport, type SweepReport, type ThreadStats } from './maintenance.ts';
import { settingsOf, type CqlCheckpointSaverOptions, type Settings } from './options.ts';
import { checkpointRowParams, tupleOf } from './rows.ts';
import { statementsFor, type Statements } from './statements.ts';
import { blobWrites, encodeBlobs, runChunked, writePendingWrites, type NsKey } from './values.ts';

function threadIdOf(config: RunnableConfig, operation: string): string {
  const id: unknown = config.configurable?.thread_id;
  if (id === undefined || id === null || id === '')
    throw new ValidationError(
      'config.configurable.thread_id',
      `${operation} needs it: pass { configurable: { thread_id: "..." } } so the saver knows which thread to persist`,
    );
  return String(id);
}

/**
 * A LangGraph checkpointer on ScyllaDB (Apache Cassandra 5 here), laid out like the official
 * PostgresSaver: checkpoint rows without channel values, a blob per (channel, version) written only
 * for the channels in newVersions, the checkpoint rebuilt from its channel_versions on read. Every
 * statement restricts a whole partition key (src/storage/checkpoint/statements.ts); docs/checkpoints.md.
 */
export class CqlCheckpointSaver extends BaseCheckpointSaver {
  private readonly s: Settings;
  private readonly q: Statements;

  constructor(options: CqlCheckpointSaverOptions) {
    super(options.serde);
    this.s = settingsOf(options);
    this.q = statementsFor(this.s.keyspace);
  }

  private key(threadId: string, ns: unknown): NsKey {
    return [this.s.scope, threadId, typeof ns === 'string' ? ns : ''];
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const id: unknown = config.configurable?.thread_id;
    if (id === undefined || id === null || id === '') return undefined;
    const key = this.key(String(id), config.configurable?.checkpoint_ns);
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    const page = checkpointId
      ? await this.s.exec.execute(this.q.checkpointById, [...key, checkpointId])
      : await this.s.exec.execute(this.q.latestCheckpoint, [...key]);
    const row = page.rows[0];
    if (!row) return undefined;
    return tupleOf(this.s, this.q, this.serde, key, row, undefined, () => this.getNextVersion(undefined));
  }

  async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const threadId: unknown = config.configurable?.thread_id;
    const ns: unknown = config.configurable?.checkpoint_ns;
    yield* listTuples(
      this.s,
      this.q,
      this.serde,
      {
        ...(threadId !== undefined && threadId !== null && threadId !== '' ? { threadId: String(threadId) } : {}),
        ...(typeof ns === 'string' ? { ns } : {}),
      },
      options,
      () => this.getNextVersion(undefined),
    );
  }

  /**
   * Blob chunks and the thread indexes first (single-row upserts, never batched, each far below the
   * 16 MiB mutation limit), the checkpoint row last: until it lands, readers see the previous one.
   */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    if (config.configurable === undefined)
      throw new ValidationError('config.configurable', 'missing: pass { configurable: { thread_id: "..." } }');
    const threadId = threadIdOf(config, 'put');
    const key = this.key(threadId, config.configurable['checkpoint_ns']);
    const parentId = config.configurable['checkpoint_id'] as string | undefined;
    const [blobs, row] = await Promise.all([
      encodeBlobs(this.s, this.serde, checkpoint.channel_values ?? {}, newVersions),
      checkpointRowParams(this.s, this.serde, key, checkpoint, metadata, parentId),
    ]);
    const { rest, heads } = blobWrites(this.s, this.q, key, blobs);
    await runChunked(this.s, rest, [...heads, ...this.indexWrites(key)]);
    await this.s.exec.execute(this.q[row.query], row.params);
    return {
      configurable: {
        thread_id: config.configurable['thread_id'],
        checkpoint_ns: key[2],
        checkpoint_id: checkpoint.id,
      },
    };
  }

  /** The namespace, thread and activity-day rows of a put: idempotent upserts, written before its commit point. */
  private indexWrites(key: NsKey): (() => Promise<unknown>)[] {
    const [scope, threadId, ns] = key;
    const day = dayOf(this.s.clock());
    const bucket = bucketOfId(threadId, THREAD_BUCKETS);
    const x = this.s.exec;
    return [
      () => x.execute(this.q.insertNamespace, [scope, threadId, ns]),
      () => x.execute(this.q.insertThread, [scope, bucket, threadId, day]),
      () => x.execute(this.q.insertThreadDay, [scope, day, bucket, threadId]),
      () => x.execute(this.q.insertDay, [scope, day]),
    ];
  }

  /**
   * Upserts keyed (task_id, idx): a repeated write replaces the earlier one (last write wins; the
   * official savers keep the first for regular channels, docs/checkpoints.md).
   */
  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = threadIdOf(config, 'putWrites');
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (!checkpointId)
      throw new ValidationError(
        'config.configurable.checkpoint_id',
        'putWrites needs the checkpoint the writes belong to',
      );
    const key = this.key(threadId, config.configurable?.checkpoint_ns);
    await writePendingWrites(this.s, this.q, this.serde, key, checkpointId, writes, taskId, taskPath ?? '');
  }

  /** Partition deletes per namespace (one tombstone each), then the namespace index, then the thread row. */
  async deleteThread(threadId: string): Promise<void> {
    const thread = String(threadId);
    const x = this.s.exec;
    await forEachBounded(namespacesOf(this.s, this.q, thread), this.s.concurrency, async (ns) => {
      const key = this.key(thread, ns);
      await Promise.all([
        x.execute(this.q.deleteBlobs, [...key]),
        x.execute(this.q.deleteWrites, [...key]),
        x.execute(this.q.deleteCheckpoints, [...key]),
      ]);
    });
    await x.execute(this.q.deleteNamespaces, [this.s.scope, thread]);
    await x.execute(this.q.deleteThread, [this.s.scope, bucketOfId(thread, THREAD_BUCKETS), thread]);
  }

  /** Keeps the newest `keepLatest` checkpoints of every namespace of the thread and the blobs they reference. */
  prune(threadId: string, options: { keepLatest: number }): Promise<PruneReport> {
    return prune(this.s, this.q, this.serde, threadId, options.keepLatest);
  }

  /** Deletes the scope's threads with no checkpoint written on or after `olderThan`'s UTC day. */
  sweepIdle(olderThan: Date): Promise<SweepReport> {
    return sweepIdle(this.s, this.q, olderThan, (t) => this.deleteThread(t));
  }

  /** Stored bytes of a thread (after compression), by kind. */
  stats(threadId: string): Promise<ThreadStats> {
    return stats(this.s, this.q, threadId);
  }

  /** The scope's thread ids (bucket by bucket): what list() without a thread_id walks. */
  threads(): AsyncGenerator<string> {
    return threadsOf(this.s, this.q);
  }
}
