import { AIMessage, HumanMessage } from '@langchain/core/messages';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.ts';
import { migratePg } from '../../src/postgres/migrate.ts';
import { createChat, loadChat, saveChat, type UIMessageLike } from '../../src/storage/adapters/ai-sdk.ts';
import { StorageChatMessageHistory } from '../../src/storage/adapters/langchain.ts';
import { createStorage } from '../../src/storage/backend/factory.ts';
import type { StorageBackend } from '../../src/storage/backend/types.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';

/** The LangChain and AI SDK adapters on the real PostgreSQL backend, where rows can be counted. */
const schema = testSchema('storage_adapters');
let pool: pg.Pool;
let b: StorageBackend;

beforeAll(async () => {
  pool = await connectTestPg(schema);
  await migratePg(pool, schema);
  b = await createStorage({ backend: 'postgres', postgres: { pool } });
  await b.init();
});
afterAll(async () => {
  await closeTestPg(pool, schema);
});

async function rows(): Promise<{ sessions: number; human: number; agent: number; steps: number }> {
  const r =
    await pool.query(`SELECT (SELECT count(*) FROM sessions)::int AS sessions, (SELECT count(*) FROM human_turns)::int AS human,
    (SELECT count(*) FROM agent_turns)::int AS agent, (SELECT count(*) FROM steps)::int AS steps`);
  return r.rows[0];
}

describe('LangChain chat message history over the active branch', () => {
  it('adds messages once by id, shows a regeneration, and clears the session', async () => {
    const h = new StorageChatMessageHistory({ backend: b, sessionId: 'lc-1', accountId: 'acct', title: 'lc' });
    await h.addMessages([
      new HumanMessage({ content: 'Plan Paris', id: 'lc-h1' }),
      new AIMessage({ content: 'Day 1: Louvre', id: 'lc-a1' }),
    ]);
    const first = await h.getMessages();
    expect(first.map((m) => [m.getType(), m.content, m.id])).toEqual([
      ['human', 'Plan Paris', 'lc-h1'],
      ['ai', 'Day 1: Louvre', 'lc-a1'],
    ]);
    const before = await rows();
    await h.addMessages([
      new HumanMessage({ content: 'Plan Paris', id: 'lc-h1' }),
      new AIMessage({ content: 'Day 1: Louvre', id: 'lc-a1' }),
    ]);
    expect(await rows()).toEqual(before);

    await b.conversations.regenerate({ turnId: 'lc-a1', newTurnId: 'lc-a2' });
    await b.conversations.addSteps({
      turnId: 'lc-a2',
      steps: [{ idx: 0, type: 'Text', content: { text: 'Day 1: Orsay' }, durationMs: 1 }],
    });
    expect((await h.getMessages()).map((m) => m.content)).toEqual(['Plan Paris', 'Day 1: Orsay']);
    await h.addUserMessage('and day 2?');
    expect((await h.getMessages()).at(-1)!.content).toBe('and day 2?');

    const err = await h.addMessages([new HumanMessage('two humans in a row')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('parentId');
    expect(await h.getMessages()).toHaveLength(3);

    await h.clear();
    expect(await h.getMessages()).toEqual([]);
    expect(await b.sessions.getSession('lc-1')).toBeNull();
  });
});

describe('AI SDK loadChat / saveChat over turns', () => {
  const user = (id: string, text: string): UIMessageLike => ({ id, role: 'user', parts: [{ type: 'text', text }] });
  const assistant = (id: string, ...texts: string[]): UIMessageLike => ({
    id,
    role: 'assistant',
    parts: texts.map((text) => ({ type: 'text', text })),
  });

  it('round-trips the messages; saving the same messages again writes no row', async () => {
    await createChat(b, { chatId: 'ai-1', accountId: 'acct', title: 'ai' });
    const messages = [user('ai-u1', 'hello'), assistant('ai-a1', 'Hi! ', 'How can I help?'), user('ai-u2', 'a poem')];
    await saveChat(b, { chatId: 'ai-1', messages });
    expect(await loadChat(b, 'ai-1')).toEqual(messages);
    const before = await rows();
    await saveChat(b, { chatId: 'ai-1', messages });
    await saveChat(b, { chatId: 'ai-1', messages });
    expect(await rows()).toEqual(before);
    const more = [...messages, assistant('ai-a2', 'Roses are red')];
    await saveChat(b, { chatId: 'ai-1', messages: more });
    expect(await rows()).toEqual({ ...before, agent: before.agent + 1, steps: before.steps + 1 });
    expect(await loadChat(b, 'ai-1')).toEqual(more);
  });

  it('a new assistant id after the same user message is a regeneration: a sibling, shown', async () => {
    await createChat(b, { chatId: 'ai-2', accountId: 'acct', title: 'regen' });
    await saveChat(b, { chatId: 'ai-2', messages: [user('ai2-u1', 'q'), assistant('ai2-a1', 'first')] });
    await saveChat(b, { chatId: 'ai-2', messages: [user('ai2-u1', 'q'), assistant('ai2-a2', 'second')] });
    expect((await loadChat(b, 'ai-2')).map((m) => m.id)).toEqual(['ai2-u1', 'ai2-a2']);
    expect((await b.conversations.siblings('ai2-a1')).map((s) => s.turnId)).toEqual(['ai2-a1', 'ai2-a2']);
    const err = await saveChat(b, { chatId: 'missing-chat', messages: [user('m-u1', 'q')] }).catch((e: unknown) => e);
    expect((err as ValidationError).field).toBe('sessionId');
  });
});
