import { randomUUID } from 'node:crypto';
import { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { ValidationError } from '../../domain/errors.ts';
import type { StorageBackend } from '../backend/types.ts';
import { appendMessage, readBranch } from './branch.ts';

export interface ChatHistoryOptions {
  backend: StorageBackend;
  sessionId: string;
  /** With an account, the session is created on the first message (and again after clear()). */
  accountId?: string;
  title?: string;
}

/**
 * A LangChain.js chat message history over a session's active branch: getMessages() is the branch
 * (a regenerate or a switchBranch shows up at once), addMessages() appends turns. A message's `id`
 * becomes its turn id, so adding a message twice stores it once.
 */
export class StorageChatMessageHistory extends BaseListChatMessageHistory {
  lc_namespace = ['agentstore', 'storage'];

  constructor(private readonly o: ChatHistoryOptions) {
    super();
  }

  async getMessages(): Promise<BaseMessage[]> {
    const branch = await readBranch(this.o.backend.conversations, this.o.sessionId);
    return branch.map(({ turn, texts }) =>
      turn.role === 'human'
        ? new HumanMessage({ content: texts.join(''), id: turn.turnId })
        : new AIMessage({ content: texts.join(''), id: turn.turnId }),
    );
  }

  addMessage(message: BaseMessage): Promise<void> {
    return this.addMessages([message]);
  }

  override async addMessages(messages: BaseMessage[]): Promise<void> {
    await this.ensureSession();
    const branch = await readBranch(this.o.backend.conversations, this.o.sessionId);
    const onBranch = new Set(branch.map((b) => b.turn.turnId));
    let parentId = branch.at(-1)?.turn.turnId ?? null;
    for (const [i, m] of messages.entries()) {
      const type = m.getType();
      if (type !== 'human' && type !== 'ai')
        throw new ValidationError(`messages[${i}]`, `only human and ai messages map to turns, got "${type}"`);
      if (typeof m.content !== 'string')
        throw new ValidationError(`messages[${i}].content`, 'must be a string (text content)');
      const turnId = m.id ?? randomUUID();
      if (onBranch.has(turnId)) continue;
      await appendMessage(
        this.o.backend.conversations,
        {
          sessionId: this.o.sessionId,
          turnId,
          role: type === 'human' ? 'human' : 'agent',
          parentId,
          texts: [m.content],
        },
        `messages[${i}]`,
      );
      onBranch.add(turnId);
      parentId = turnId;
    }
  }

  /** Erases the session (turns, steps, completions); the next message starts it again when an account is known. */
  override async clear(): Promise<void> {
    await this.o.backend.sessions.deleteSession(this.o.sessionId);
  }

  private async ensureSession(): Promise<void> {
    if (this.o.accountId === undefined) return;
    if (await this.o.backend.sessions.getSession(this.o.sessionId)) return;
    await this.o.backend.sessions.createSession({
      sessionId: this.o.sessionId,
      accountId: this.o.accountId,
      title: this.o.title ?? 'chat',
    });
  }
}
