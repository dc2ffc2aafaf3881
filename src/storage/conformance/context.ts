import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, ValueTooLargeError } from '../../domain/errors.ts';
import type { ContextScope } from '../context/types.ts';
import { rejects, useBackend, type OpenBackend } from './harness.ts';

/** The TaskContextStore contract (versions, compare-and-set, TTL by the injected clock), for one backend. */
export function taskContextConformance(label: string, open: OpenBackend, o: { maxValueBytes: number }): void {
  describe(`TaskContextStore conformance: ${label}`, () => {
    const t = useBackend(open);
    const x = () => t.backend.context;
    const scope = (): ContextScope => ({ kind: 'task', id: t.id('task') });

    it('writes JSON values with a version that grows by one per write', async () => {
      const s = scope();
      const v1 = await x().put(s, 'plan', { steps: ['a'] });
      expect(v1).toEqual({
        key: 'plan',
        value: { steps: ['a'] },
        version: 1,
        updatedAt: t.clock.now().toISOString(),
        expiresAt: null,
      });
      t.clock.advance(1000);
      const v2 = await x().put(s, 'plan', { steps: ['a', 'b'] });
      expect(v2.version).toBe(2);
      expect(await x().get(s, 'plan')).toEqual(v2);
      expect(await x().get(s, 'other')).toBeNull();
      expect(await x().get({ kind: 'session', id: s.id }, 'plan')).toBeNull();
    });

    it('compare-and-set: a stale version is a ConflictError and writes nothing', async () => {
      const s = scope();
      const created = await x().put(s, 'k', 1, { expectedVersion: 0 });
      await rejects(x().put(s, 'k', 2, { expectedVersion: 0 }), ConflictError, 'expectedVersion');
      const v2 = await x().put(s, 'k', 2, { expectedVersion: created.version });
      await rejects(x().put(s, 'k', 3, { expectedVersion: created.version }), ConflictError, 'expectedVersion');
      await rejects(x().put(s, 'absent', 3, { expectedVersion: 4 }), ConflictError, 'expectedVersion');
      expect(await x().get(s, 'k')).toEqual(v2);
      expect(await x().get(s, 'absent')).toBeNull();
    });

    it('concurrent writers with the same expected version: exactly one wins', async () => {
      const s = scope();
      await x().put(s, 'race', 0, { expectedVersion: 0 });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => x().put(s, 'race', i + 1, { expectedVersion: 1 })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      expect((await x().get(s, 'race'))!.version).toBe(2);
    });

    it('a value over the maximum is a ValueTooLargeError naming value; the stored one stays', async () => {
      const s = scope();
      const kept = await x().put(s, 'big', 'small');
      const err = await rejects(x().put(s, 'big', 'x'.repeat(o.maxValueBytes)), ValueTooLargeError, 'value');
      expect(err.maxBytes).toBe(o.maxValueBytes);
      expect(await x().get(s, 'big')).toEqual(kept);
    });

    it('expires values by TTL on the injected clock; an expired key starts again at version 1', async () => {
      const s = scope();
      const v = await x().put(s, 'temp', 'soon gone', { ttlSeconds: 60 });
      expect(v.expiresAt).toBe(new Date(t.clock.now().getTime() + 60_000).toISOString());
      t.clock.advance(59_000);
      expect((await x().get(s, 'temp'))?.value).toBe('soon gone');
      t.clock.advance(2_000);
      expect(await x().get(s, 'temp')).toBeNull();
      expect((await x().list(s, { limit: 10 })).items).toEqual([]);
      await rejects(x().put(s, 'temp', 'x', { expectedVersion: 1 }), ConflictError, 'expectedVersion');
      expect((await x().put(s, 'temp', 'again', { expectedVersion: 0 })).version).toBe(1);
      const forever = await x().put(s, 'temp', 'kept');
      expect(forever).toMatchObject({ version: 2, expiresAt: null });
      t.clock.advance(120_000);
      expect(await x().get(s, 'temp')).toEqual(forever);
    });

    it('deletes by key, with an optional expected version', async () => {
      const s = scope();
      const v = await x().put(s, 'd', true);
      await rejects(x().delete(s, 'd', { expectedVersion: v.version + 1 }), ConflictError, 'expectedVersion');
      expect(await x().get(s, 'd')).toEqual(v);
      expect(await x().delete(s, 'd', { expectedVersion: v.version })).toBe(true);
      expect(await x().get(s, 'd')).toBeNull();
      expect(await x().delete(s, 'd')).toBe(false);
    });

    it('lists a scope in key order, paged', async () => {
      const s = scope();
      for (const k of ['c', 'a', 'b']) await x().put(s, k, k);
      const first = await x().list(s, { limit: 2 });
      expect(first.items.map((i) => [i.key, i.version])).toEqual([
        ['a', 1],
        ['b', 1],
      ]);
      const next = await x().list(s, { limit: 2, cursor: first.cursor! });
      expect(next).toEqual({ items: [{ key: 'c', version: 1, updatedAt: t.clock.now().toISOString() }] });
    });

    it('refuses a bad scope, key or option naming the field, and stores nothing', async () => {
      const s = scope();
      await rejects(x().put({ kind: 'galaxy', id: 'x' } as never, 'k', 1), ValidationError, 'scope.kind');
      await rejects(x().put({ kind: 'task', id: '' }, 'k', 1), ValidationError, 'scope.id');
      await rejects(x().put(s, '', 1), ValidationError, 'key');
      await rejects(x().put(s, 'k', undefined), ValidationError, 'value');
      await rejects(x().put(s, 'k', 1, { ttlSeconds: 0 }), ValidationError, 'ttlSeconds');
      await rejects(x().put(s, 'k', 1, { expectedVersion: -1 }), ValidationError, 'expectedVersion');
      expect(await x().get(s, 'k')).toBeNull();
      expect((await x().list(s, { limit: 10 })).items).toEqual([]);
    });
  });
}
