import { uuid6, type Checkpoint, type CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRows } from '../../src/cql/executor.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import type { CqlCheckpointSaver } from '../../src/storage/checkpoint/index.ts';
import { checkpointKeyspace, type CheckpointKeyspace } from '../support/checkpoint.ts';

// Growth control: prune keeps the newest N and every blob they reference (a channel written only in
// step 1 included), sweepIdle deletes only threads idle past the cutoff, stats counts stored bytes.
let ks: CheckpointKeyspace;
beforeAll(async () => {
  ks = await checkpointKeyspace();
});
afterAll(async () => ks?.close());

const DAY = 86_400_000;
const meta = (step: number) => ({ source: 'loop' as const, step, parents: {} });

/** `steps` checkpoints in a namespace: `first` written in step 0 only, `counter` every step, writes on each. */
async function grow(saver: CqlCheckpointSaver, thread: string, steps: number, ns = ''): Promise<string[]> {
  let config = { configurable: { thread_id: thread, checkpoint_ns: ns } } as CheckpointTuple['config'];
  const ids: string[] = [];
  for (let i = 1; i <= steps; i++) {
    const cp: Checkpoint = {
      v: 4,
      id: uuid6(0),
      ts: new Date().toISOString(),
      channel_values: { first: 'from step 1', counter: i, text: 'x'.repeat(200) },
      channel_versions: { first: 1, counter: i, text: i === 1 ? 1 : 2 },
      versions_seen: {},
    };
    const newVersions: Record<string, number> =
      i === 1 ? { first: 1, counter: 1, text: 1 } : i === 2 ? { counter: 2, text: 2 } : { counter: i };
    config = await saver.put(config, cp, meta(i), newVersions);
    await saver.putWrites(config, [['counter', i + 1]], `task-${i}`);
    ids.push(cp.id);
  }
  return ids;
}

async function blobVersions(saver: CqlCheckpointSaver, thread: string, ns = ''): Promise<string[]> {
  const scope = (saver as unknown as { s: { scope: string } }).s.scope;
  const out: string[] = [];
  for await (const r of allRows(ks.c.exec, {
    query: `SELECT channel, version, chunk FROM ${ks.keyspace}.checkpoint_blobs WHERE scope = ? AND thread_id = ? AND checkpoint_ns = ?`,
    params: [scope, thread, ns],
  }))
    if (r['chunk'] === 0) out.push(`${String(r['channel'])}@${String(r['version'])}`);
  return out.sort();
}

const latest = (saver: CqlCheckpointSaver, thread: string, checkpoint_ns = '') =>
  saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns } });

describe('checkpoint growth control', () => {
  it('prune keeps the latest N per namespace and exactly the blobs they reference', async () => {
    const saver = ks.saver();
    const ids = await grow(saver, 'p', 10);
    await grow(saver, 'p', 4, 'child');
    const keptBefore = [];
    for await (const t of saver.list({ configurable: { thread_id: 'p', checkpoint_ns: '' } }, { limit: 3 }))
      keptBefore.push(t);
    const sizeBefore = await saver.stats('p');
    expect(sizeBefore).toMatchObject({ namespaces: 2, checkpoints: 14 });

    const report = await saver.prune('p', { keepLatest: 3 });
    expect(report).toEqual({ namespaces: 2, checkpointsDeleted: 7 + 1, blobVersionsDeleted: 8 + 2 });

    const keptAfter = [];
    for await (const t of saver.list({ configurable: { thread_id: 'p', checkpoint_ns: '' } })) keptAfter.push(t);
    expect(keptAfter).toEqual(keptBefore);
    for (const id of ids.slice(0, 7))
      expect(
        await saver.getTuple({ configurable: { thread_id: 'p', checkpoint_ns: '', checkpoint_id: id } }),
      ).toBeUndefined();
    // The kept three reference first@1 (step 1 only), text@2 and counter@8..10: nothing else is left.
    expect(await blobVersions(saver, 'p')).toEqual(['counter@10', 'counter@8', 'counter@9', 'first@1', 'text@2']);
    expect((await latest(saver, 'p'))?.checkpoint.channel_values).toEqual({
      first: 'from step 1',
      counter: 10,
      text: 'x'.repeat(200),
    });
    const sizeAfter = await saver.stats('p');
    expect(sizeAfter.checkpoints).toBe(6);
    expect(sizeAfter.totalBytes).toBeLessThan(sizeBefore.totalBytes);
    expect(sizeAfter.blobBytes).toBeGreaterThan(0);
    expect(sizeAfter.writeBytes).toBeGreaterThan(0);
    // Pruning again changes nothing.
    expect(await saver.prune('p', { keepLatest: 3 })).toEqual({
      namespaces: 2,
      checkpointsDeleted: 0,
      blobVersionsDeleted: 0,
    });
    await expect(saver.prune('p', { keepLatest: 0 })).rejects.toThrow(ValidationError);
  });

  it('sweepIdle deletes the threads with no write since the cutoff day, and only those', async () => {
    let now = new Date('2026-06-01T12:00:00Z');
    const saver = ks.saver({ clock: () => now });
    await grow(saver, 'idle', 2);
    await grow(saver, 'active', 2);
    now = new Date(now.getTime() + 9 * DAY);
    await grow(saver, 'active', 1, 'later');
    await grow(saver, 'recent', 1);
    const report = await saver.sweepIdle(new Date(now.getTime() - 5 * DAY));
    expect(report).toEqual({ daysSwept: 1, threadsDeleted: ['idle'] });
    expect(await latest(saver, 'idle')).toBeUndefined();
    expect(await latest(saver, 'active')).toBeDefined();
    expect(await latest(saver, 'recent')).toBeDefined();
    const threads = [];
    for await (const t of saver.threads()) threads.push(t);
    expect(threads.sort()).toEqual(['active', 'recent']);
    // A later sweep past every day removes the rest; nothing is left to list.
    expect((await saver.sweepIdle(new Date(now.getTime() + DAY))).threadsDeleted.sort()).toEqual(['active', 'recent']);
    const left = [];
    for await (const t of saver.list({})) left.push(t);
    expect(left).toEqual([]);
  });

  it('deleteThread removes a thread by key (every namespace) and leaves the others', async () => {
    const saver = ks.saver();
    await grow(saver, 'gone', 3);
    await grow(saver, 'gone', 2, 'sub:1');
    await grow(saver, 'kept', 2);
    await saver.deleteThread('gone');
    expect(await latest(saver, 'gone')).toBeUndefined();
    expect(await latest(saver, 'gone', 'sub:1')).toBeUndefined();
    expect(await saver.stats('gone')).toMatchObject({ namespaces: 0, checkpoints: 0, totalBytes: 0 });
    expect(await blobVersions(saver, 'gone')).toEqual([]);
    expect((await latest(saver, 'kept'))?.checkpoint.channel_values['counter']).toBe(2);
    await saver.deleteThread('gone'); // idempotent
  });
});
