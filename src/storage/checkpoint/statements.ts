/**
 * Every CQL statement of the checkpointer, in one place so the statement recorder test
 * (test/integration/checkpoint-statements.test.ts) can hold each to the rule: it restricts a whole
 * partition key, and none says ALLOW FILTERING.
 */
const NS_KEY = 'scope = ? AND thread_id = ? AND checkpoint_ns = ?';
const CHECKPOINT_COLUMNS =
  'checkpoint_id, parent_checkpoint_id, checkpoint_type, checkpoint, metadata_type, metadata, codec';
const WRITE_COLUMNS = 'task_id, idx, chunk, task_path, channel, type, codec, chunks, digest, value';

export function statementsFor(ks: string) {
  return {
    insertCheckpoint: `INSERT INTO ${ks}.checkpoints (scope, thread_id, checkpoint_ns, checkpoint_id, checkpoint_type, checkpoint, metadata_type, metadata, codec, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    insertCheckpointWithParent: `INSERT INTO ${ks}.checkpoints (scope, thread_id, checkpoint_ns, checkpoint_id, checkpoint_type, checkpoint, metadata_type, metadata, codec, bytes, parent_checkpoint_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    checkpointById: `SELECT ${CHECKPOINT_COLUMNS} FROM ${ks}.checkpoints WHERE ${NS_KEY} AND checkpoint_id = ?`,
    latestCheckpoint: `SELECT ${CHECKPOINT_COLUMNS} FROM ${ks}.checkpoints WHERE ${NS_KEY} LIMIT 1`,
    checkpoints: `SELECT ${CHECKPOINT_COLUMNS} FROM ${ks}.checkpoints WHERE ${NS_KEY}`,
    checkpointsBefore: `SELECT ${CHECKPOINT_COLUMNS} FROM ${ks}.checkpoints WHERE ${NS_KEY} AND checkpoint_id < ?`,
    latestCheckpoints: `SELECT ${CHECKPOINT_COLUMNS} FROM ${ks}.checkpoints WHERE ${NS_KEY} LIMIT ?`,
    checkpointIdsBefore: `SELECT checkpoint_id FROM ${ks}.checkpoints WHERE ${NS_KEY} AND checkpoint_id < ?`,
    checkpointSizes: `SELECT bytes FROM ${ks}.checkpoints WHERE ${NS_KEY}`,
    deleteCheckpointsBefore: `DELETE FROM ${ks}.checkpoints WHERE ${NS_KEY} AND checkpoint_id < ?`,
    deleteCheckpoints: `DELETE FROM ${ks}.checkpoints WHERE ${NS_KEY}`,

    insertBlobHead: `INSERT INTO ${ks}.checkpoint_blobs (scope, thread_id, checkpoint_ns, channel, version, chunk, type, codec, chunks, digest, bytes, value) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    insertBlobChunk: `INSERT INTO ${ks}.checkpoint_blobs (scope, thread_id, checkpoint_ns, channel, version, chunk, bytes, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    blob: `SELECT chunk, type, codec, chunks, digest, value FROM ${ks}.checkpoint_blobs WHERE ${NS_KEY} AND channel = ? AND version = ?`,
    blobKeys: `SELECT channel, version, chunk FROM ${ks}.checkpoint_blobs WHERE ${NS_KEY}`,
    blobSizes: `SELECT bytes FROM ${ks}.checkpoint_blobs WHERE ${NS_KEY}`,
    deleteBlob: `DELETE FROM ${ks}.checkpoint_blobs WHERE ${NS_KEY} AND channel = ? AND version = ?`,
    deleteBlobs: `DELETE FROM ${ks}.checkpoint_blobs WHERE ${NS_KEY}`,

    insertWriteHead: `INSERT INTO ${ks}.checkpoint_writes (scope, thread_id, checkpoint_ns, checkpoint_id, task_id, idx, chunk, task_path, channel, type, codec, chunks, digest, bytes, value) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
    insertWriteChunk: `INSERT INTO ${ks}.checkpoint_writes (scope, thread_id, checkpoint_ns, checkpoint_id, task_id, idx, chunk, bytes, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    writes: `SELECT ${WRITE_COLUMNS} FROM ${ks}.checkpoint_writes WHERE ${NS_KEY} AND checkpoint_id = ?`,
    writeSizes: `SELECT bytes FROM ${ks}.checkpoint_writes WHERE ${NS_KEY}`,
    deleteWritesBefore: `DELETE FROM ${ks}.checkpoint_writes WHERE ${NS_KEY} AND checkpoint_id < ?`,
    deleteWrites: `DELETE FROM ${ks}.checkpoint_writes WHERE ${NS_KEY}`,

    insertNamespace: `INSERT INTO ${ks}.checkpoint_namespaces (scope, thread_id, checkpoint_ns) VALUES (?, ?, ?)`,
    namespaces: `SELECT checkpoint_ns FROM ${ks}.checkpoint_namespaces WHERE scope = ? AND thread_id = ?`,
    deleteNamespaces: `DELETE FROM ${ks}.checkpoint_namespaces WHERE scope = ? AND thread_id = ?`,

    insertThread: `INSERT INTO ${ks}.checkpoint_threads (scope, bucket, thread_id, last_day) VALUES (?, ?, ?, ?)`,
    threads: `SELECT thread_id FROM ${ks}.checkpoint_threads WHERE scope = ? AND bucket = ?`,
    thread: `SELECT last_day FROM ${ks}.checkpoint_threads WHERE scope = ? AND bucket = ? AND thread_id = ?`,
    deleteThread: `DELETE FROM ${ks}.checkpoint_threads WHERE scope = ? AND bucket = ? AND thread_id = ?`,

    insertThreadDay: `INSERT INTO ${ks}.checkpoint_threads_by_day (scope, day, bucket, thread_id) VALUES (?, ?, ?, ?)`,
    threadsOfDay: `SELECT thread_id FROM ${ks}.checkpoint_threads_by_day WHERE scope = ? AND day = ? AND bucket = ?`,
    deleteThreadsOfDay: `DELETE FROM ${ks}.checkpoint_threads_by_day WHERE scope = ? AND day = ? AND bucket = ?`,
    insertDay: `INSERT INTO ${ks}.checkpoint_days (scope, day) VALUES (?, ?)`,
    daysBefore: `SELECT day FROM ${ks}.checkpoint_days WHERE scope = ? AND day < ?`,
    deleteDay: `DELETE FROM ${ks}.checkpoint_days WHERE scope = ? AND day = ?`,
  } as const;
}

export type Statements = ReturnType<typeof statementsFor>;
