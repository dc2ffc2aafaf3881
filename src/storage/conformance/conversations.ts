import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { rejects, useBackend, type OpenBackend } from './harness.ts';

const text = (s: string, idx = 0) => ({ idx, type: 'Text', content: { text: s }, durationMs: 10 });

/** The ConversationStore contract (the DAG of turns, steps, completions), for one backend. */
export function conversationStoreConformance(label: string, open: OpenBackend): void {
  describe(`ConversationStore conformance: ${label}`, () => {
    const t = useBackend(open);
    const c = () => t.backend.conversations;
    const session = async () => {
      const sessionId = t.id('s');
      await t.backend.sessions.createSession({ sessionId, accountId: t.id('a'), title: 'chat' });
      return sessionId;
    };
    const branch = async (sessionId: string) =>
      (await c().history(sessionId, { limit: 1000 })).items.map((i) => i.turnId);

    it('appends turns and steps; the history is the active branch, root first', async () => {
      const sessionId = await session();
      const h = t.id('h');
      const g = t.id('g');
      t.clock.advance(1000);
      const human = await c().appendTurn({
        sessionId,
        turnId: h,
        role: 'human',
        parentId: null,
        prompt: 'Plan a trip',
      });
      expect(human).toMatchObject({
        turnId: h,
        sessionId,
        role: 'human',
        parentId: null,
        prompt: 'Plan a trip',
        agentVersion: null,
      });
      expect(human.createdAt).toEqual(t.clock.now());
      await c().appendTurn({ sessionId, turnId: g, role: 'agent', parentId: h, agentVersion: 'v1' });
      const steps = await c().addSteps({
        turnId: g,
        steps: [text('Day 1', 0), { idx: 1, type: 'Think', content: { text: 'hmm' }, durationMs: 3 }],
      });
      expect(steps.map((x) => x.idx)).toEqual([0, 1]);
      const history = await c().history(sessionId, { limit: 10 });
      expect(history).toEqual({
        items: [
          { turnId: h, role: 'human', parentId: null, prompt: 'Plan a trip', createdAt: human.createdAt.toISOString() },
          { turnId: g, role: 'agent', parentId: h, prompt: '', createdAt: t.clock.now().toISOString() },
        ],
      });
      expect((await c().steps(g, { limit: 1 })).items).toEqual([
        { idx: 0, type: 'Text', content: '{"text":"Day 1"}', durationMs: 10 },
      ]);
      const rest = await c().steps(g, { limit: 1, cursor: (await c().steps(g, { limit: 1 })).cursor! });
      expect(rest).toEqual({ items: [{ idx: 1, type: 'Think', content: '{"text":"hmm"}', durationMs: 3 }] });
    });

    it('regenerate shows the new answer; switchBranch shows the old one again; siblings list both', async () => {
      const sessionId = await session();
      const h = t.id('h');
      const g1 = t.id('g');
      const g2 = t.id('g');
      await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: null, prompt: 'q' });
      await c().appendTurn({ sessionId, turnId: g1, role: 'agent', parentId: h });
      t.clock.advance(1000);
      const again = await c().regenerate({ turnId: g1, newTurnId: g2, agentVersion: 'v2' });
      expect(again).toMatchObject({ turnId: g2, parentId: h, role: 'agent', agentVersion: 'v2' });
      expect(await branch(sessionId)).toEqual([h, g2]);
      expect((await c().siblings(g1)).map((x) => x.turnId)).toEqual([g1, g2]);
      await c().switchBranch({ sessionId, parentId: h, childId: g1 });
      expect(await branch(sessionId)).toEqual([h, g1]);
      await rejects(c().switchBranch({ sessionId, parentId: null, childId: g1 }), ValidationError, 'childId');
      await rejects(c().regenerate({ turnId: h, newTurnId: t.id('g') }), ValidationError, 'turnId');
      expect(await branch(sessionId)).toEqual([h, g1]);
    });

    it('pages the history with a cursor that ends with the branch', async () => {
      const sessionId = await session();
      const ids: string[] = [];
      let parent: string | null = null;
      for (let i = 0; i < 6; i++) {
        const turnId = t.id(i % 2 ? 'g' : 'h');
        t.clock.advance(1000);
        await c().appendTurn({
          sessionId,
          turnId,
          role: i % 2 ? 'agent' : 'human',
          parentId: parent,
          ...(i % 2 ? {} : { prompt: `q${i}` }),
        });
        ids.push(turnId);
        parent = turnId;
      }
      const first = await c().history(sessionId, { limit: 4 });
      expect(first.items.map((i) => i.turnId)).toEqual(ids.slice(0, 4));
      const second = await c().history(sessionId, { limit: 4, cursor: first.cursor! });
      expect(second.items.map((i) => i.turnId)).toEqual(ids.slice(4));
      expect(second.cursor).toBeUndefined();
      await rejects(c().history(sessionId, { limit: 4, cursor: 'not-a-cursor' }), ValidationError, 'cursor');
    });

    it('a retried append returns the stored turn; the id of another turn is refused', async () => {
      const sessionId = await session();
      const h = t.id('h');
      const first = await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: null, prompt: 'once' });
      t.clock.advance(5000);
      const retry = await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: null, prompt: 'once' });
      expect(retry.createdAt).toEqual(first.createdAt);
      const g = t.id('g');
      await c().appendTurn({ sessionId, turnId: g, role: 'agent', parentId: h });
      await rejects(
        c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: g, prompt: 'again' }),
        ValidationError,
        'turnId',
      );
      expect(await branch(sessionId)).toEqual([h, g]);
    });

    it('refuses bad input naming the field; the conversation is unchanged after each failure', async () => {
      const sessionId = await session();
      const h = t.id('h');
      const g = t.id('g');
      await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: null, prompt: 'q' });
      await c().appendTurn({ sessionId, turnId: g, role: 'agent', parentId: h });
      await c().addSteps({ turnId: g, steps: [text('kept')] });
      const before = {
        history: await c().history(sessionId, { limit: 100 }),
        steps: await c().steps(g, { limit: 100 }),
      };
      await rejects(
        c().appendTurn({ sessionId, turnId: '', role: 'human', parentId: g, prompt: 'x' }),
        ValidationError,
        'turnId',
      );
      await rejects(
        c().appendTurn({ sessionId: '', turnId: t.id('h'), role: 'human', parentId: g, prompt: 'x' }),
        ValidationError,
        'sessionId',
      );
      await rejects(
        c().appendTurn({ sessionId, turnId: t.id('h'), role: 'human', parentId: t.id('nope'), prompt: 'x' }),
        NotFoundError,
        'parentId',
      );
      await rejects(
        c().appendTurn({ sessionId, turnId: t.id('g'), role: 'agent', parentId: null }),
        ValidationError,
        'parentId',
      );
      await rejects(
        c().appendTurn({ sessionId, turnId: t.id('g'), role: 'agent', parentId: g }),
        ValidationError,
        'parentId',
      );
      await rejects(
        c().appendTurn({ sessionId, turnId: t.id('h'), role: 'human', parentId: g, prompt: '' }),
        ValidationError,
        'prompt',
      );
      await rejects(c().addSteps({ turnId: h, steps: [text('x')] }), ValidationError, 'turnId');
      await rejects(c().addSteps({ turnId: t.id('nope'), steps: [text('x')] }), NotFoundError, 'turnId');
      await rejects(
        c().addSteps({
          turnId: g,
          steps: [text('fine', 1), { idx: 2, type: 'Text', content: { wrong: 1 }, durationMs: 1 }],
        }),
        ValidationError,
        /^steps\[1\]\.content/,
      );
      await rejects(c().addSteps({ turnId: g, steps: [text('a', 3), text('b', 3)] }), ValidationError, 'steps[1].idx');
      expect({
        history: await c().history(sessionId, { limit: 100 }),
        steps: await c().steps(g, { limit: 100 }),
      }).toEqual(before);
    });

    it('completes an agent turn with status, error, model and usage; replays are no-ops', async () => {
      const sessionId = await session();
      const h = t.id('h');
      const g = t.id('g');
      await c().appendTurn({ sessionId, turnId: h, role: 'human', parentId: null, prompt: 'q' });
      await c().appendTurn({ sessionId, turnId: g, role: 'agent', parentId: h });
      expect(await c().completion(g)).toBeNull();
      await rejects(c().completeTurn({ turnId: g, status: 'done' as never }), ValidationError, 'status');
      await rejects(c().completeTurn({ turnId: g, status: 'ok', error: 'x' }), ValidationError, 'error');
      await rejects(c().completeTurn({ turnId: g, status: 'ok', tokensIn: -1 }), ValidationError, 'tokensIn');
      await rejects(c().completeTurn({ turnId: h, status: 'ok' }), ValidationError, 'turnId');
      await rejects(c().completeTurn({ turnId: t.id('nope'), status: 'ok' }), NotFoundError, 'turnId');
      expect(await c().completion(g)).toBeNull();
      const done = await c().completeTurn({
        turnId: g,
        status: 'error',
        error: 'rate limited',
        model: 'gpt-x',
        tokensIn: 12,
        tokensOut: 0,
        durationMs: 950,
      });
      expect(done).toEqual({
        turnId: g,
        sessionId,
        status: 'error',
        error: 'rate limited',
        model: 'gpt-x',
        tokensIn: 12,
        tokensOut: 0,
        durationMs: 950,
        completedAt: t.clock.now().toISOString(),
      });
      t.clock.advance(1000);
      expect(
        await c().completeTurn({
          turnId: g,
          status: 'error',
          error: 'rate limited',
          model: 'gpt-x',
          tokensIn: 12,
          durationMs: 950,
        }),
      ).toEqual(done);
      expect(await c().completion(g)).toEqual(done);
    });
  });
}
