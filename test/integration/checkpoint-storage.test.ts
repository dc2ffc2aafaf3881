import { randomBytes } from 'node:crypto';
import { uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRows, type Row } from '../../src/cql/executor.ts';
import { ValueTooLargeError } from '../../src/domain/errors.ts';
import { keyOf, type TableName } from '../../src/migrations/catalog.ts';
import { MAX_CHUNK_BYTES } from '../../src/storage/checkpoint/index.ts';
import { checkpointKeyspace, type CheckpointKeyspace } from '../support/checkpoint.ts';
import { RecordingCql } from '../support/recording-cql.ts';

// What the conformance suite does not check: no statement without a whole partition key, values
// chunked under the cell limit, the commit point under a crash after every k of n writes.
let ks: CheckpointKeyspace;
beforeAll(async () => {
  ks = await checkpointKeyspace();
});
afterAll(async () => ks?.close());

function checkpoint(values: Record<string, unknown>, versions: Record<string, number>): Checkpoint {
  return {
    v: 4,
    id: uuid6(0),
    ts: new Date().toISOString(),
    channel_values: values,
    channel_versions: versions,
    versions_seen: {},
  };
}
const meta = (step: number) => ({ source: 'loop' as const, step, parents: {} });
const config = (thread_id: string, checkpoint_id?: string, checkpoint_ns = '') => ({
  configurable: { thread_id, checkpoint_ns, ...(checkpoint_id ? { checkpoint_id } : {}) },
});

/** Which columns a statement restricts with `col = ?` (WHERE) or names (INSERT). */
function restricted(query: string): { table: string; columns: Set<string> } {
  const table = /(?:FROM|INTO)\s+\w+\.(\w+)/i.exec(query)![1]!;
  const insert = /^INSERT INTO \S+ \(([^)]*)\)/i.exec(query);
  if (insert) return { table, columns: new Set(insert[1]!.split(',').map((c) => c.trim())) };
  const where = /WHERE (.*?)(?: LIMIT .*)?$/i.exec(query)?.[1] ?? '';
  return { table, columns: new Set([...where.matchAll(/(\w+) = \?/g)].map((m) => m[1]!)) };
}

describe('CqlCheckpointSaver storage', () => {
  it('restricts a whole partition key in every statement, with no ALLOW FILTERING (statement recorder)', async () => {
    const rec = new RecordingCql(ks.c.exec);
    const saver = ks.saver({ exec: rec, chunkBytes: 1024, compressAboveBytes: 64 });
    const big = randomBytes(5000).toString('base64');
    let c = await saver.put(config('t1'), checkpoint({ a: big, b: 1 }, { a: 1, b: 1 }), meta(0), { a: 1, b: 1 });
    await saver.putWrites(
      c,
      [
        ['a', big],
        ['b', 2],
      ],
      'task-1',
      'path',
    );
    c = await saver.put(c, checkpoint({ a: big, b: 2 }, { a: 1, b: 2 }), meta(1), { b: 2 });
    await saver.put(config('t1', undefined, 'child'), checkpoint({ x: 1 }, { x: 1 }), meta(0), { x: 1 });
    expect((await saver.getTuple(config('t1')))?.checkpoint.channel_values).toEqual({ a: big, b: 2 });
    await saver.getTuple(c);
    for await (const _ of saver.list(config('t1'), { filter: { source: 'loop' }, limit: 5 }));
    for await (const _ of saver.list({ configurable: { thread_id: 't1' } }, { before: c }));
    for await (const _ of saver.list({}, { limit: 10 }));
    await saver.getDeltaChannelHistory({ config: c, channels: ['a', 'b'] });
    await saver.stats('t1');
    await saver.prune('t1', { keepLatest: 1 });
    await saver.sweepIdle(new Date(Date.now() + 3 * 86_400_000));
    await saver.deleteThread('t1');
    const tables = new Set<string>();
    for (const s of rec.statements) {
      expect(s.query).not.toMatch(/ALLOW FILTERING/i);
      const { table, columns } = restricted(s.query);
      tables.add(table);
      const missing = keyOf(table as TableName).partition.filter((col) => !columns.has(col));
      expect(missing, s.query).toEqual([]);
    }
    // Every table of migration 5 was exercised.
    expect([...tables].sort()).toEqual([
      'checkpoint_blobs',
      'checkpoint_days',
      'checkpoint_namespaces',
      'checkpoint_threads',
      'checkpoint_threads_by_day',
      'checkpoint_writes',
      'checkpoints',
    ]);
  });

  it('round-trips a 20 MiB value in chunks no larger than the chunk size (<= 1 MiB), compressed', async () => {
    const saver = ks.saver();
    const value = randomBytes(15 * 1024 * 1024).toString('base64'); // ~20 MiB of JSON string, ~15 MiB gzipped
    const c = await saver.put(config('big'), checkpoint({ huge: value }, { huge: 1 }), meta(0), { huge: 1 });
    expect((await saver.getTuple(c))?.checkpoint.channel_values['huge']).toBe(value);
    const [scope] = [(saver as unknown as { s: { scope: string } }).s.scope];
    const rows = { rows: [] as Row[] };
    for await (const r of allRows(
      ks.c.exec,
      {
        query: `SELECT chunk, chunks, codec, bytes FROM ${ks.keyspace}.checkpoint_blobs WHERE scope = ? AND thread_id = ? AND checkpoint_ns = ? AND channel = ? AND version = ?`,
        params: [scope, 'big', '', 'huge', '1'],
      },
      10,
    ))
      rows.rows.push(r);
    expect(rows.rows.length).toBe(rows.rows[0]!['chunks']);
    expect(rows.rows[0]).toMatchObject({ chunk: 0, codec: 'gzip' });
    expect(rows.rows[0]!['chunks']).toBeGreaterThan(20);
    const stats = await saver.stats('big');
    expect(stats.blobBytes).toBeLessThan(value.length);
    console.log(
      `20 MiB value: ${rows.rows[0]!['chunks']} chunks, ${(stats.blobBytes / value.length).toFixed(2)} of its size stored`,
    );
    for (const r of rows.rows) expect(r['bytes']).toBeLessThanOrEqual(512 * 1024);
    expect(512 * 1024).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  });

  it('refuses a value over maxValueBytes with ValueTooLargeError naming the channel, writing nothing', async () => {
    const rec = new RecordingCql(ks.c.exec);
    const saver = ks.saver({ exec: rec, maxValueBytes: 1000 });
    const c = await saver.put(config('limit'), checkpoint({ small: 'ok' }, { small: 1 }), meta(0), { small: 1 });
    const writesBefore = rec.writes;
    const err = await saver
      .put(c, checkpoint({ small: 'ok', notes: 'x'.repeat(2000) }, { small: 1, notes: 1 }), meta(1), { notes: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValueTooLargeError);
    expect((err as ValueTooLargeError).field).toBe('channel "notes"');
    expect(rec.writes).toBe(writesBefore);
    expect((await saver.getTuple(config('limit')))?.checkpoint.id).toBe(c.configurable?.['checkpoint_id']);
    expect(() => ks.saver({ chunkBytes: MAX_CHUNK_BYTES + 1 })).toThrow(/chunkBytes/);
  });

  it('never returns a checkpoint written partway: a fault after k of n writes, for every k, leaves the previous one', async () => {
    const next = () => checkpoint({ big: randomBytes(200_000).toString('base64'), n: 2 }, { big: 2, n: 2 });
    const options = { chunkBytes: 64 * 1024 };
    // n: the writes of one complete put of the second checkpoint.
    const probe = new RecordingCql(ks.c.exec);
    const first = await ks
      .saver({ exec: probe, ...options })
      .put(config('probe'), checkpoint({ n: 1 }, { n: 1 }), meta(0), { n: 1 });
    const before = probe.writes;
    await ks.saver({ exec: probe, ...options }).put(first, next(), meta(1), { big: 2, n: 2 });
    const n = probe.writes - before;
    expect(n).toBeGreaterThan(8);
    for (let k = 0; k < n; k++) {
      const thread = `fault-${k}`;
      const rec = new RecordingCql(ks.c.exec);
      const saver = ks.saver({ exec: rec, ...options });
      const prev = await saver.put(config(thread), checkpoint({ n: 1 }, { n: 1 }), meta(0), { n: 1 });
      rec.writes = 0;
      rec.failAfterWrites = k;
      const second = next();
      await expect(saver.put(prev, second, meta(1), { big: 2, n: 2 })).rejects.toThrow(/injected fault/);
      rec.failAfterWrites = Infinity;
      const latest = await saver.getTuple(config(thread));
      expect(latest?.checkpoint.id, `k=${k}`).toBe(prev.configurable?.['checkpoint_id']);
      expect(latest?.checkpoint.channel_values).toEqual({ n: 1 });
      const listed = [];
      for await (const t of saver.list(config(thread))) listed.push(t.checkpoint.id);
      expect(listed).toEqual([prev.configurable?.['checkpoint_id']]);
      // The retry converges.
      await saver.put(prev, second, meta(1), { big: 2, n: 2 });
      expect((await saver.getTuple(config(thread)))?.checkpoint.channel_values).toEqual(second.channel_values);
    }
  });
});
