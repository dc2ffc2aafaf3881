import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { allRows } from '../../cql/executor.ts';
import { dayOf } from '../../domain/model.ts';
import { ValidationError } from '../../domain/errors.ts';
import { bucketOfId, bucketRange } from '../../schema/buckets.ts';
import { namespacesOf, THREAD_BUCKETS } from './list.ts';
import type { Settings } from './options.ts';
import { checkpointOf } from './rows.ts';
import type { Statements } from './statements.ts';
import type { NsKey } from './values.ts';

export interface PruneReport {
  namespaces: number;
  checkpointsDeleted: number;
  /** (channel, version) values deleted: referenced by no kept checkpoint, older than one that is. */
  blobVersionsDeleted: number;
}

export interface SweepReport {
  daysSwept: number;
  threadsDeleted: string[];
}

export interface ThreadStats {
  namespaces: number;
  checkpoints: number;
  /** Stored bytes after compression: checkpoint rows, channel blobs, pending writes. */
  checkpointBytes: number;
  blobBytes: number;
  writeBytes: number;
  totalBytes: number;
}

/** Integer versions (the default getNextVersion) compare as numbers, others as strings (monotonic by contract). */
function olderVersion(a: string, b: string): boolean {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isFinite(x) && Number.isFinite(y) && /^\d+$/.test(a) && /^\d+$/.test(b)) return x < y;
  return a < b;
}

/**
 * Per namespace: read the newest `keepLatest` rows, delete everything older with one range delete on
 * checkpoints and one on writes (range tombstones behind the newest rows, which the latest read never
 * crosses), then delete the blob versions no kept checkpoint references and that are older than the
 * newest kept version of their channel. A newer, not yet referenced version may belong to a put in
 * flight, and a channel no kept checkpoint names is left as well, so a concurrent put never loses a blob.
 */
export async function prune(
  s: Settings,
  q: Statements,
  serde: SerializerProtocol,
  threadId: string,
  keepLatest: number,
): Promise<PruneReport> {
  if (!Number.isInteger(keepLatest) || keepLatest < 1)
    throw new ValidationError(
      'keepLatest',
      `${keepLatest} is not an integer of at least 1 (the latest is always kept)`,
    );
  const report: PruneReport = { namespaces: 0, checkpointsDeleted: 0, blobVersionsDeleted: 0 };
  for await (const ns of namespacesOf(s, q, threadId)) {
    report.namespaces++;
    const key: NsKey = [s.scope, threadId, ns];
    const kept = (await s.exec.execute(q.latestCheckpoints, [...key, keepLatest])).rows;
    if (kept.length === 0) continue;
    const referenced = new Map<string, Set<string>>();
    const newest = new Map<string, string>();
    for (const row of kept) {
      const versions = (await checkpointOf(serde, row)).channel_versions ?? {};
      for (const [channel, v] of Object.entries(versions)) {
        const version = String(v);
        (referenced.get(channel) ?? referenced.set(channel, new Set()).get(channel)!).add(version);
        const n = newest.get(channel);
        if (n === undefined || olderVersion(n, version)) newest.set(channel, version);
      }
    }
    if (kept.length === keepLatest) {
      const oldestKept = kept[kept.length - 1]!['checkpoint_id'] as string;
      for await (const _ of allRows(s.exec, { query: q.checkpointIdsBefore, params: [...key, oldestKept] }, 1000))
        report.checkpointsDeleted++;
      await s.exec.execute(q.deleteWritesBefore, [...key, oldestKept]);
      await s.exec.execute(q.deleteCheckpointsBefore, [...key, oldestKept]);
    }
    for await (const r of allRows(s.exec, { query: q.blobKeys, params: [...key] }, 1000)) {
      if (r['chunk'] !== 0) continue;
      const [channel, version] = [r['channel'] as string, r['version'] as string];
      const n = newest.get(channel);
      if (n === undefined || referenced.get(channel)!.has(version) || !olderVersion(version, n)) continue;
      await s.exec.execute(q.deleteBlob, [...key, channel, version]);
      report.blobVersionsDeleted++;
    }
  }
  return report;
}

/**
 * Reads the scope's activity days before `olderThan`'s day (checkpoint_days), the threads written on
 * each (16 bucket partitions), and deletes those whose last write day is before the cutoff; a thread
 * written since stays (it is listed again under its later day). Then the swept days are deleted.
 */
export async function sweepIdle(
  s: Settings,
  q: Statements,
  olderThan: Date,
  deleteThread: (threadId: string) => Promise<void>,
): Promise<SweepReport> {
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime()))
    throw new ValidationError('olderThan', 'must be a valid Date (threads with no write on or after its UTC day go)');
  const cutoff = dayOf(olderThan);
  const report: SweepReport = { daysSwept: 0, threadsDeleted: [] };
  const days: string[] = [];
  for await (const r of allRows(s.exec, { query: q.daysBefore, params: [s.scope, cutoff] }, 1000))
    days.push(String(r['day']));
  for (const day of days) {
    for (const bucket of bucketRange(THREAD_BUCKETS)) {
      for await (const r of allRows(s.exec, { query: q.threadsOfDay, params: [s.scope, day, bucket] }, s.fetchSize)) {
        const threadId = r['thread_id'] as string;
        const t = await s.exec.execute(q.thread, [s.scope, bucketOfId(threadId, THREAD_BUCKETS), threadId]);
        const last = t.rows[0]?.['last_day'];
        if (last === undefined || String(last) >= cutoff) continue;
        await deleteThread(threadId);
        report.threadsDeleted.push(threadId);
      }
      await s.exec.execute(q.deleteThreadsOfDay, [s.scope, day, bucket]);
    }
    await s.exec.execute(q.deleteDay, [s.scope, day]);
    report.daysSwept++;
  }
  return report;
}

async function sumBytes(s: Settings, query: string, key: NsKey): Promise<{ rows: number; bytes: number }> {
  let [rows, bytes] = [0, 0];
  for await (const r of allRows(s.exec, { query, params: [...key] }, 5000)) {
    rows++;
    bytes += (r['bytes'] as number | null) ?? 0;
  }
  return { rows, bytes };
}

export async function stats(s: Settings, q: Statements, threadId: string): Promise<ThreadStats> {
  const out: ThreadStats = {
    namespaces: 0,
    checkpoints: 0,
    checkpointBytes: 0,
    blobBytes: 0,
    writeBytes: 0,
    totalBytes: 0,
  };
  for await (const ns of namespacesOf(s, q, threadId)) {
    const key: NsKey = [s.scope, threadId, ns];
    const [c, b, w] = await Promise.all([
      sumBytes(s, q.checkpointSizes, key),
      sumBytes(s, q.blobSizes, key),
      sumBytes(s, q.writeSizes, key),
    ]);
    out.namespaces++;
    out.checkpoints += c.rows;
    out.checkpointBytes += c.bytes;
    out.blobBytes += b.bytes;
    out.writeBytes += w.bytes;
  }
  out.totalBytes = out.checkpointBytes + out.blobBytes + out.writeBytes;
  return out;
}
