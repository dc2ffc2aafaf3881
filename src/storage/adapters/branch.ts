import { ValidationError } from '../../domain/errors.ts';
import type { BranchTurn } from '../../domain/queries.ts';
import type { ConversationStore } from '../conversations/types.ts';

/**
 * What the chat adapters share: the active branch as (turn, text) pairs, and appending one message
 * as a turn. A human turn's text is its prompt; an agent turn's text is its Text steps, in idx order.
 */
export interface BranchMessage {
  turn: BranchTurn;
  texts: string[];
}

/** Pages through the whole branch (bounded by LIMITS.turnsPerSession) and each agent turn's steps. */
export async function readBranch(c: ConversationStore, sessionId: string): Promise<BranchMessage[]> {
  const turns: BranchTurn[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.history(sessionId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    turns.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return Promise.all(
    turns.map(async (turn) => {
      if (turn.role === 'human') return { turn, texts: [turn.prompt] };
      const texts: string[] = [];
      let steps: string | undefined;
      do {
        const page = await c.steps(turn.turnId, { limit: 1000, ...(steps ? { cursor: steps } : {}) });
        for (const s of page.items) if (s.type === 'Text') texts.push((JSON.parse(s.content) as { text: string }).text);
        steps = page.cursor;
      } while (steps);
      return { turn, texts };
    }),
  );
}

/** Appends one message after `parentId`: a human turn with its prompt, or an agent turn with one Text step per text. */
export async function appendMessage(
  c: ConversationStore,
  m: { sessionId: string; turnId: string; role: 'human' | 'agent'; parentId: string | null; texts: string[] },
  field: string,
): Promise<void> {
  if (m.role === 'human') {
    await c.appendTurn({
      sessionId: m.sessionId,
      turnId: m.turnId,
      role: 'human',
      parentId: m.parentId,
      prompt: m.texts.join(''),
    });
    return;
  }
  if (m.parentId === null) throw new ValidationError(field, 'an assistant message must follow a user message');
  await c.appendTurn({ sessionId: m.sessionId, turnId: m.turnId, role: 'agent', parentId: m.parentId });
  const steps = m.texts.map((text, idx) => ({ idx, type: 'Text', content: { text }, durationMs: 0 }));
  if (steps.length) await c.addSteps({ turnId: m.turnId, steps });
}
