import type { Migration } from './migration.ts';

/**
 * The LangGraph checkpointer's tables (src/storage/checkpoint, docs/checkpoints.md). Every partition is
 * (scope, thread, ...): a scope is a tenant (or one test's instance), so tenants and test runs never
 * share a partition and nothing is ever TRUNCATEd. No CDC: the read side does not consume checkpoints.
 * No per-row TTL: a channel blob written in step 1 is still referenced by the newest checkpoint.
 */
const THREAD_NS = ['scope', 'thread_id', 'checkpoint_ns'] as const;

export const checkpoints = {
  version: 5,
  name: 'LangGraph checkpoints: checkpoints, channel blobs, pending writes, thread indexes',
  steps: [
    {
      createTable: {
        name: 'checkpoints',
        serves:
          'checkpoint getTuple (by id, or latest with LIMIT 1) and list (newest first, paged): one row per checkpoint without its channel values (rebuilt from channel_versions); this row is the commit point of a put; pruned by one range delete',
        columns: {
          scope: 'text',
          thread_id: 'text',
          checkpoint_ns: 'text',
          checkpoint_id: 'text',
          parent_checkpoint_id: 'text',
          checkpoint_type: 'text',
          checkpoint: 'blob',
          metadata_type: 'text',
          metadata: 'blob',
          codec: 'text',
          bytes: 'int',
        },
        partitionKey: [...THREAD_NS],
        clustering: [{ column: 'checkpoint_id', order: 'DESC' }],
      },
    },
    {
      createTable: {
        name: 'checkpoint_blobs',
        serves:
          'checkpoint channel values, one (channel, version) per change, written only for the channels in newVersions; serialised, compressed and chunked (no cell over the chunk size, default 512 KiB); chunk 0 carries the chunk count and digest',
        columns: {
          scope: 'text',
          thread_id: 'text',
          checkpoint_ns: 'text',
          channel: 'text',
          version: 'text',
          chunk: 'int',
          type: 'text',
          codec: 'text',
          chunks: 'int',
          digest: 'text',
          bytes: 'int',
          value: 'blob',
        },
        partitionKey: [...THREAD_NS],
        clustering: [
          { column: 'channel', order: 'ASC' },
          { column: 'version', order: 'ASC' },
          { column: 'chunk', order: 'ASC' },
        ],
      },
    },
    {
      createTable: {
        name: 'checkpoint_writes',
        serves:
          "checkpoint pending writes: a checkpoint's writes are one slice (checkpoint_id = ?) in (task_id, idx) order, chunked like blobs; pruned by one range delete",
        columns: {
          scope: 'text',
          thread_id: 'text',
          checkpoint_ns: 'text',
          checkpoint_id: 'text',
          task_id: 'text',
          idx: 'int',
          chunk: 'int',
          task_path: 'text',
          channel: 'text',
          type: 'text',
          codec: 'text',
          chunks: 'int',
          digest: 'text',
          bytes: 'int',
          value: 'blob',
        },
        partitionKey: [...THREAD_NS],
        clustering: [
          { column: 'checkpoint_id', order: 'DESC' },
          { column: 'task_id', order: 'ASC' },
          { column: 'idx', order: 'ASC' },
          { column: 'chunk', order: 'ASC' },
        ],
      },
    },
    {
      createTable: {
        name: 'checkpoint_namespaces',
        serves:
          "checkpoint list without checkpoint_ns (a merge of the thread's namespaces), deleteThread, prune and stats: the namespaces of a thread, written before a put's commit point",
        columns: { scope: 'text', thread_id: 'text', checkpoint_ns: 'text' },
        partitionKey: ['scope', 'thread_id'],
        clustering: [{ column: 'checkpoint_ns', order: 'ASC' }],
      },
    },
    {
      createTable: {
        name: 'checkpoint_threads',
        serves:
          "checkpoint list without thread_id (the scope's threads, 16 buckets by hash) and sweepIdle's check of a thread's last active day",
        columns: { scope: 'text', bucket: 'int', thread_id: 'text', last_day: 'date' },
        partitionKey: ['scope', 'bucket'],
        clustering: [{ column: 'thread_id', order: 'ASC' }],
      },
    },
    {
      createTable: {
        name: 'checkpoint_threads_by_day',
        serves:
          'checkpoint sweepIdle: the threads written on a UTC day (16 buckets by hash); a sweep reads only days before its cutoff, then deletes them',
        columns: { scope: 'text', day: 'date', bucket: 'int', thread_id: 'text' },
        partitionKey: ['scope', 'day', 'bucket'],
        clustering: [{ column: 'thread_id', order: 'ASC' }],
      },
    },
    {
      createTable: {
        name: 'checkpoint_days',
        serves: 'checkpoint sweepIdle: the UTC days on which a scope wrote checkpoints, oldest first; one row per day',
        columns: { scope: 'text', day: 'date' },
        partitionKey: ['scope'],
        clustering: [{ column: 'day', order: 'ASC' }],
      },
    },
  ],
} as const satisfies Migration;
