import type { CheckpointListOptions, CheckpointTuple, SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { allRows, type Row } from '../../cql/executor.ts';
import { bucketRange } from '../../schema/buckets.ts';
import type { Settings } from './options.ts';
import { contains, metadataOf, tupleOf } from './rows.ts';
import type { Statements } from './statements.ts';
import type { NsKey } from './values.ts';

/** The scope's threads are spread over this many partitions of checkpoint_threads (bucket = fnv1a(thread) mod 16). */
export const THREAD_BUCKETS = 16;

export interface ListScope {
  threadId?: string;
  ns?: string;
}

/** One namespace partition, newest first, one driver page at a time. */
function partitionRows(s: Settings, q: Statements, key: NsKey, before: string | undefined, fetchSize: number) {
  const statement =
    before === undefined
      ? { query: q.checkpoints, params: [...key] }
      : { query: q.checkpointsBefore, params: [...key, before] };
  return allRows(s.exec, statement, fetchSize);
}

export async function* namespacesOf(s: Settings, q: Statements, threadId: string): AsyncGenerator<string> {
  for await (const r of allRows(s.exec, { query: q.namespaces, params: [s.scope, threadId] }, s.fetchSize))
    yield r['checkpoint_ns'] as string;
}

export async function* threadsOf(s: Settings, q: Statements): AsyncGenerator<string> {
  for (const bucket of bucketRange(THREAD_BUCKETS))
    for await (const r of allRows(s.exec, { query: q.threads, params: [s.scope, bucket] }, s.fetchSize))
      yield r['thread_id'] as string;
}

interface Head {
  key: NsKey;
  it: AsyncIterator<Row>;
  row: Row;
}

/**
 * A thread's checkpoints across its namespaces, newest first overall: a k-way merge that holds one
 * page per namespace (so memory grows with the thread's namespaces, never with its checkpoints).
 */
async function* threadRows(
  s: Settings,
  q: Statements,
  threadId: string,
  ns: string | undefined,
  before: string | undefined,
): AsyncGenerator<{ key: NsKey; row: Row }> {
  if (ns !== undefined) {
    const key: NsKey = [s.scope, threadId, ns];
    for await (const row of partitionRows(s, q, key, before, s.fetchSize)) yield { key, row };
    return;
  }
  const heads: Head[] = [];
  const mergePage = Math.max(1, Math.min(s.fetchSize, 20));
  for await (const n of namespacesOf(s, q, threadId)) {
    const key: NsKey = [s.scope, threadId, n];
    const it = partitionRows(s, q, key, before, mergePage)[Symbol.asyncIterator]();
    const first = await it.next();
    if (!first.done) heads.push({ key, it, row: first.value });
  }
  while (heads.length) {
    let best = 0;
    for (let i = 1; i < heads.length; i++)
      if ((heads[i]!.row['checkpoint_id'] as string) > (heads[best]!.row['checkpoint_id'] as string)) best = i;
    const h = heads[best]!;
    yield { key: h.key, row: h.row };
    const next = await h.it.next();
    if (next.done) heads.splice(best, 1);
    else h.row = next.value;
  }
}

/**
 * list(): one thread (every namespace merged, or one), or every thread of the scope, thread by
 * thread (bucket, then thread id order; newest first within a thread). `filter` is containment on
 * the metadata, like PostgresSaver's `@>`; `limit` counts what passes it.
 */
export async function* listTuples(
  s: Settings,
  q: Statements,
  serde: SerializerProtocol,
  scope: ListScope,
  options: CheckpointListOptions | undefined,
  nextVersion: () => string | number,
): AsyncGenerator<CheckpointTuple> {
  const { limit, before, filter } = options ?? {};
  const beforeId = before?.configurable?.checkpoint_id as string | undefined;
  if (limit !== undefined && limit <= 0) return;
  let yielded = 0;
  const threads = scope.threadId !== undefined ? [scope.threadId] : threadsOf(s, q);
  for await (const threadId of threads) {
    for await (const { key, row } of threadRows(s, q, threadId, scope.ns, beforeId)) {
      const metadata = await metadataOf(serde, row);
      if (filter && !contains(metadata, filter)) continue;
      yield await tupleOf(s, q, serde, key, row, metadata, nextVersion);
      if (limit !== undefined && ++yielded >= limit) return;
    }
  }
}
