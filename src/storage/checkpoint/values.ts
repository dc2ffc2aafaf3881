import {
  compareWritesSortKeys,
  WRITES_IDX_MAP,
  writesSortKey,
  type CheckpointPendingWrite,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { allRows, type Row } from '../../cql/executor.ts';
import { forEachBounded } from '../../util/bounded.ts';
import { decode, encode, type Encoded } from './codec.ts';
import type { Settings } from './options.ts';
import type { Statements } from './statements.ts';

/** (scope, thread_id, checkpoint_ns): the partition of every table but the indexes. */
export type NsKey = readonly [scope: string, threadId: string, ns: string];

/** Postgres marks a channel named in newVersions but absent from channel_values so; read as absent. */
const EMPTY = 'empty';

export interface BlobToWrite {
  channel: string;
  version: string;
  type: string;
  encoded: Encoded;
}

/** Serialises and checks every new channel value before the first write (nothing half-written on a bad size). */
export async function encodeBlobs(
  s: Settings,
  serde: SerializerProtocol,
  values: Record<string, unknown>,
  newVersions: Record<string, string | number>,
): Promise<BlobToWrite[]> {
  return Promise.all(
    Object.entries(newVersions).map(async ([channel, version]) => {
      if (!(channel in values)) {
        return { channel, version: String(version), type: EMPTY, encoded: await encode(channel, new Uint8Array(), s) };
      }
      const [type, bytes] = await serde.dumpsTyped(values[channel]);
      return { channel, version: String(version), type, encoded: await encode(`channel "${channel}"`, bytes, s) };
    }),
  );
}

type Write = () => Promise<unknown>;

/** The writes of chunked values: chunks 1.. of every value first, then each head (chunk 0, with count and digest). */
export async function runChunked(s: Settings, rest: Write[], heads: Write[]): Promise<void> {
  await forEachBounded(rest, s.concurrency, (w) => w().then(() => undefined));
  await forEachBounded(heads, s.concurrency, (w) => w().then(() => undefined));
}

export function blobWrites(
  s: Settings,
  q: Statements,
  key: NsKey,
  blobs: BlobToWrite[],
): { rest: Write[]; heads: Write[] } {
  const rest: Write[] = [];
  const heads: Write[] = [];
  for (const b of blobs) {
    const { codec, chunks, digest } = b.encoded;
    chunks
      .slice(1)
      .forEach((chunk, i) =>
        rest.push(() => s.exec.execute(q.insertBlobChunk, [...key, b.channel, b.version, i + 1, chunk.length, chunk])),
      );
    const head = chunks[0]!;
    heads.push(() =>
      s.exec.execute(q.insertBlobHead, [
        ...key,
        b.channel,
        b.version,
        b.type,
        codec,
        chunks.length,
        digest,
        head.length,
        head,
      ]),
    );
  }
  return { rest, heads };
}

/** Groups a slice's rows (chunk 0 first) into values; a value whose head is not written yet is left out. */
async function* values(rows: AsyncIterable<Row>, same: (a: Row, b: Row) => boolean): AsyncGenerator<Row[]> {
  let group: Row[] = [];
  for await (const row of rows) {
    if (group.length && !same(group[0]!, row)) {
      if (group[0]!['chunk'] === 0) yield group;
      group = [];
    }
    group.push(row);
  }
  if (group.length && group[0]!['chunk'] === 0) yield group;
}

async function assemble(what: string, group: Row[]): Promise<Uint8Array> {
  const head = group[0]!;
  const chunks = group.slice(0, head['chunks'] as number).map((r) => r['value'] as Buffer);
  return decode(what, head['codec'] as string, chunks, head['digest'] as string);
}

/** One channel's value at one version, or undefined when it was never stored (or stored as empty). */
async function readBlob(
  s: Settings,
  q: Statements,
  serde: SerializerProtocol,
  key: NsKey,
  channel: string,
  version: string,
): Promise<{ value: unknown } | undefined> {
  const rows = allRows(s.exec, { query: q.blob, params: [...key, channel, version] }, 4);
  for await (const group of values(rows, () => true)) {
    const type = group[0]!['type'] as string;
    if (type === EMPTY) return undefined;
    return { value: await serde.loadsTyped(type, await assemble(`channel "${channel}" version ${version}`, group)) };
  }
  return undefined;
}

/** Rebuilds channel_values from channel_versions: a channel carried over from an ancestor is read at its version. */
export async function readChannelValues(
  s: Settings,
  q: Statements,
  serde: SerializerProtocol,
  key: NsKey,
  versions: Record<string, string | number>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  await forEachBounded(Object.entries(versions), s.concurrency * 2, async ([channel, version]) => {
    const found = await readBlob(s, q, serde, key, channel, String(version));
    if (found) out[channel] = found.value;
  });
  return out;
}

export async function writePendingWrites(
  s: Settings,
  q: Statements,
  serde: SerializerProtocol,
  key: NsKey,
  checkpointId: string,
  writes: PendingWrite[],
  taskId: string,
  taskPath: string,
): Promise<void> {
  const encoded = await Promise.all(
    writes.map(async ([channel, value], i) => {
      const [type, bytes] = await serde.dumpsTyped(value);
      const idx = (WRITES_IDX_MAP as Record<string, number>)[channel] ?? i;
      return { channel, idx, type, e: await encode(`write of task "${taskId}" to channel "${channel}"`, bytes, s) };
    }),
  );
  const rest: Write[] = [];
  const heads: Write[] = [];
  for (const w of encoded) {
    const k = [...key, checkpointId, taskId, w.idx];
    w.e.chunks
      .slice(1)
      .forEach((chunk, i) => rest.push(() => s.exec.execute(q.insertWriteChunk, [...k, i + 1, chunk.length, chunk])));
    const head = w.e.chunks[0]!;
    heads.push(() =>
      s.exec.execute(q.insertWriteHead, [
        ...k,
        taskPath,
        w.channel,
        w.type,
        w.e.codec,
        w.e.chunks.length,
        w.e.digest,
        head.length,
        head,
      ]),
    );
  }
  await runChunked(s, rest, heads);
}

/** A checkpoint's pending writes in writesSortKey order (task_path, task_id, idx), as the base class requires. */
export async function readPendingWrites(
  s: Settings,
  q: Statements,
  serde: SerializerProtocol,
  key: NsKey,
  checkpointId: string,
  onlyChannel?: string,
): Promise<CheckpointPendingWrite[]> {
  const rows = allRows(s.exec, { query: q.writes, params: [...key, checkpointId] }, s.fetchSize);
  const same = (a: Row, b: Row) => a['task_id'] === b['task_id'] && a['idx'] === b['idx'];
  const found: { sort: ReturnType<typeof writesSortKey>; write: CheckpointPendingWrite }[] = [];
  for await (const group of values(rows, same)) {
    const head = group[0]!;
    const [taskId, channel] = [head['task_id'] as string, head['channel'] as string];
    if (onlyChannel !== undefined && channel !== onlyChannel) continue;
    const bytes = await assemble(`write of task "${taskId}" to channel "${channel}"`, group);
    found.push({
      sort: writesSortKey((head['task_path'] as string | null) ?? '', taskId, head['idx'] as number),
      write: [taskId, channel, await serde.loadsTyped(head['type'] as string, bytes)],
    });
  }
  return found.sort((a, b) => compareWritesSortKeys(a.sort, b.sort)).map((f) => f.write);
}
