import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { rejects, useBackend, type OpenBackend } from './harness.ts';

/**
 * The SessionStore contract, registered as vitest tests for one backend. Every backend must pass
 * it unchanged; the memory backend is the reference it was written against.
 */
export function sessionStoreConformance(label: string, open: OpenBackend): void {
  describe(`SessionStore conformance: ${label}`, () => {
    const t = useBackend(open);
    const s = () => t.backend.sessions;
    const c = () => t.backend.conversations;

    it('creates a session and reads it back, active, with its metadata', async () => {
      const sessionId = t.id('s');
      const created = await s().createSession({
        sessionId,
        accountId: t.id('a'),
        title: 'Trip',
        metadata: { b: '2', a: '1' },
      });
      const now = t.clock.now().toISOString();
      expect(created).toEqual({
        sessionId,
        accountId: created.accountId,
        title: 'Trip',
        createdAt: now,
        lastActivity: now,
        status: 'active',
        endedAt: null,
        metadata: { a: '1', b: '2' },
      });
      expect(await s().getSession(sessionId)).toEqual(created);
      expect(await s().getSession(t.id('missing'))).toBeNull();
    });

    it('a retried create returns the stored session; another account cannot take the id', async () => {
      const sessionId = t.id('s');
      const accountId = t.id('a');
      const first = await s().createSession({ sessionId, accountId, title: 'First', metadata: { k: 'v' } });
      t.clock.advance(1000);
      expect(await s().createSession({ sessionId, accountId, title: 'Second' })).toEqual(first);
      await rejects(
        s().createSession({ sessionId, accountId: t.id('other'), title: 'Mine' }),
        ConflictError,
        'sessionId',
      );
      expect(await s().getSession(sessionId)).toEqual(first);
    });

    it('refuses bad input naming the field, and stores nothing', async () => {
      const accountId = t.id('a');
      await rejects(s().createSession({ sessionId: '', accountId, title: 'x' }), ValidationError, 'sessionId');
      await rejects(s().createSession({ accountId, title: 'x' } as never), ValidationError, 'sessionId');
      await rejects(
        s().createSession({ sessionId: t.id('s'), accountId: '', title: 'x' }),
        ValidationError,
        'accountId',
      );
      await rejects(
        s().createSession({ sessionId: t.id('s'), accountId, title: 'x'.repeat(600) }),
        ValidationError,
        'title',
      );
      const bad = t.id('s');
      await rejects(
        s().createSession({ sessionId: bad, accountId, title: 'x', metadata: { k: 5 } as never }),
        ValidationError,
        'metadata.k',
      );
      expect(await s().getSession(bad)).toBeNull();
      expect((await s().listSessions(accountId, { limit: 10 })).items).toEqual([]);
    });

    it('a missing session is a NotFoundError naming sessionId', async () => {
      const missing = t.id('missing');
      await rejects(s().updateMetadata(missing, { a: '1' }), NotFoundError, 'sessionId');
      await rejects(s().endSession(missing, 'completed'), NotFoundError, 'sessionId');
      await rejects(s().metrics(missing), NotFoundError, 'sessionId');
      await rejects(
        c().appendTurn({ sessionId: missing, turnId: t.id('h'), role: 'human', parentId: null, prompt: 'hi' }),
        NotFoundError,
        'sessionId',
      );
      expect(await s().deleteSession(missing)).toBe(false);
      expect(await s().getSession(missing)).toBeNull();
    });

    it("lists an account's sessions newest first, in pages with a cursor only when more follow", async () => {
      const accountId = t.id('a');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        t.clock.advance(1000);
        ids.push((await s().createSession({ sessionId: t.id('s'), accountId, title: `n${i}` })).sessionId);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s().listSessions(accountId, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((i) => i.sessionId));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
      await rejects(s().listSessions(accountId, { limit: 0 }), ValidationError, 'limit');
    });

    it('updates metadata by patch; a patch over the bounds changes nothing', async () => {
      const sessionId = t.id('s');
      await s().createSession({ sessionId, accountId: t.id('a'), title: 'm', metadata: { keep: '1', drop: '2' } });
      const next = await s().updateMetadata(sessionId, { drop: null, add: '3' });
      expect(next.metadata).toEqual({ add: '3', keep: '1' });
      const tooMany = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v']));
      await rejects(s().updateMetadata(sessionId, tooMany), ValidationError, 'metadata');
      expect((await s().getSession(sessionId))!.metadata).toEqual({ add: '3', keep: '1' });
    });

    it('ends a session once: the same end again is a no-op, another status a ConflictError, appends refused', async () => {
      const sessionId = t.id('s');
      await s().createSession({ sessionId, accountId: t.id('a'), title: 'e' });
      const h = t.id('h');
      await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: null, prompt: 'hi' });
      await rejects(s().endSession(sessionId, 'done' as never), ValidationError, 'status');
      t.clock.advance(1000);
      const ended = await s().endSession(sessionId, 'completed');
      expect(ended.status).toBe('completed');
      expect(ended.endedAt).toBe(t.clock.now().toISOString());
      t.clock.advance(1000);
      expect(await s().endSession(sessionId, 'completed')).toEqual(ended);
      await rejects(s().endSession(sessionId, 'failed'), ConflictError, 'status');
      await rejects(
        c().appendTurn({ sessionId, turnId: t.id('g'), role: 'agent', parentId: h }),
        ConflictError,
        'sessionId',
      );
      expect(await s().getSession(sessionId)).toEqual(ended);
      expect((await c().history(sessionId, { limit: 10 })).items.map((i) => i.turnId)).toEqual([h]);
    });

    it('counts each completed agent turn once, however often its completion is replayed', async () => {
      const sessionId = t.id('s');
      await s().createSession({ sessionId, accountId: t.id('a'), title: 'metrics' });
      expect(await s().metrics(sessionId)).toEqual({
        requests: 0,
        errors: 0,
        processingMs: 0,
        tokensIn: 0,
        tokensOut: 0,
        lastCompletedAt: null,
      });
      const outcomes = [
        { status: 'ok', tokensIn: 10, tokensOut: 20, durationMs: 100, model: 'm1' },
        { status: 'error', error: 'timeout', tokensIn: 5, durationMs: 300 },
        { status: 'cancelled', tokensOut: 1, durationMs: 7 },
      ] as const;
      let parent: string | null = null;
      const agents: string[] = [];
      for (const o of outcomes) {
        const h: string = t.id('h');
        await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: parent, prompt: 'q' });
        const g = t.id('g');
        await c().appendTurn({ sessionId, turnId: g, role: 'agent', parentId: h });
        t.clock.advance(1000);
        await c().completeTurn({ turnId: g, ...o });
        await c().completeTurn({ turnId: g, ...o });
        agents.push(g);
        parent = g;
      }
      const expected = {
        requests: 3,
        errors: 1,
        processingMs: 407,
        tokensIn: 15,
        tokensOut: 21,
        lastCompletedAt: t.clock.now().toISOString(),
      };
      expect(await s().metrics(sessionId)).toEqual(expected);
      await rejects(c().completeTurn({ turnId: agents[0]!, status: 'error', error: 'late' }), ConflictError, 'turnId');
      expect(await s().metrics(sessionId)).toEqual(expected);
    });

    it('deletes a session with its turns, steps and completions', async () => {
      const sessionId = t.id('s');
      const accountId = t.id('a');
      await s().createSession({ sessionId, accountId, title: 'gone' });
      const h = t.id('h');
      const g = t.id('g');
      await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: null, prompt: 'hi' });
      await c().appendTurn({ sessionId, turnId: g, role: 'agent', parentId: h });
      await c().addSteps({ turnId: g, steps: [{ idx: 0, type: 'Text', content: { text: 'hello' }, durationMs: 5 }] });
      await c().completeTurn({ turnId: g, status: 'ok' });
      expect(await s().deleteSession(sessionId)).toBe(true);
      expect(await s().getSession(sessionId)).toBeNull();
      expect((await c().history(sessionId, { limit: 10 })).items).toEqual([]);
      expect((await c().steps(g, { limit: 10 })).items).toEqual([]);
      expect(await c().completion(g)).toBeNull();
      expect(await c().siblings(h)).toEqual([]);
      expect((await s().listSessions(accountId, { limit: 10 })).items).toEqual([]);
      expect(await s().deleteSession(sessionId)).toBe(false);
    });

    it('sweeps sessions idle past the cutoff, in a dry run first', async () => {
      const idle = t.id('s');
      const busy = t.id('s');
      const accountId = t.id('a');
      await s().createSession({ sessionId: idle, accountId, title: 'idle' });
      await s().createSession({ sessionId: busy, accountId, title: 'busy' });
      t.clock.advance(2 * 3600_000);
      await c().appendTurn({ sessionId: busy, turnId: t.id('h'), role: 'human', parentId: null, prompt: 'still here' });
      await rejects(s().sweepIdle({ idleForMs: 0, limit: 10 }), ValidationError, 'idleForMs');
      const dry = await s().sweepIdle({ idleForMs: 3600_000, limit: 1000, dryRun: true });
      expect(dry).toContain(idle);
      expect(dry).not.toContain(busy);
      expect((await s().getSession(idle))!.status).toBe('active');
      const swept = await s().sweepIdle({ idleForMs: 3600_000, limit: 1000 });
      expect(swept).toEqual(dry);
      expect((await s().getSession(idle))!.status).toBe('abandoned');
      expect((await s().getSession(busy))!.status).toBe('active');
      expect(await s().sweepIdle({ idleForMs: 3600_000, limit: 1000 })).not.toContain(idle);
    });
  });
}
