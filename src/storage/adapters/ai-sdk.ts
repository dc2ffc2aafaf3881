import { ValidationError } from '../../domain/errors.ts';
import type { StorageBackend } from '../backend/types.ts';
import { appendMessage, readBranch } from './branch.ts';

/**
 * The part of the AI SDK's UIMessage these functions read and write (typed here so the adapter
 * needs no dependency): an id, a role, and text parts. Other part types are not stored.
 */
export interface UIMessageLike {
  id: string;
  role: 'user' | 'assistant' | 'system';
  parts: ({ type: 'text'; text: string } | { type: string; [k: string]: unknown })[];
}

/** Starts a chat: a session the later saveChat calls append to. */
export async function createChat(
  backend: StorageBackend,
  o: { chatId: string; accountId: string; title: string },
): Promise<string> {
  await backend.sessions.createSession({ sessionId: o.chatId, accountId: o.accountId, title: o.title });
  return o.chatId;
}

/** The chat's active branch as UIMessages: user messages from human turns, assistant ones from agent turns' Text steps. */
export async function loadChat(backend: StorageBackend, chatId: string): Promise<UIMessageLike[]> {
  const branch = await readBranch(backend.conversations, chatId);
  return branch.map(({ turn, texts }) => ({
    id: turn.turnId,
    role: turn.role === 'human' ? 'user' : 'assistant',
    parts: texts.map((text) => ({ type: 'text' as const, text })),
  }));
}

const textsOf = (m: UIMessageLike): string[] =>
  m.parts
    .filter((p): p is { type: 'text'; text: string } => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text);

/**
 * Stores the messages of a chat: each message whose id is not a turn yet is appended after the one
 * before it (a new assistant id after the same user message is a regeneration: a sibling, shown).
 * Messages stored already are skipped, so saving the same messages again writes nothing.
 */
export async function saveChat(
  backend: StorageBackend,
  o: { chatId: string; messages: UIMessageLike[] },
): Promise<void> {
  const known = new Set((await readBranch(backend.conversations, o.chatId)).map((b) => b.turn.turnId));
  let parentId: string | null = null;
  for (const [i, m] of o.messages.entries()) {
    if (m.role === 'system') continue;
    if (m.role !== 'user' && m.role !== 'assistant')
      throw new ValidationError(`messages[${i}].role`, 'must be user, assistant or system');
    if (!known.has(m.id))
      await appendMessage(
        backend.conversations,
        { sessionId: o.chatId, turnId: m.id, role: m.role === 'user' ? 'human' : 'agent', parentId, texts: textsOf(m) },
        `messages[${i}]`,
      );
    parentId = m.id;
  }
}
