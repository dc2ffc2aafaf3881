import type { Session, Step, Turn } from '../domain/model.ts';
import type { TurnCompletion } from './conversations/types.ts';
import type { SessionStatus } from './sessions/types.ts';

/**
 * The memory backend's data: one object the memory stores share, as the CQL and PostgreSQL stores
 * share their database. The reference the conformance suites hold every backend to.
 */
export interface MemorySession extends Session {
  lastActivity: Date;
  status: SessionStatus;
  endedAt: Date | null;
  metadata: Record<string, string>;
  activeRoot: string | null;
}

export interface MemoryTurn extends Turn {
  activeChild: string | null;
}

export interface MemoryContextEntry {
  json: string;
  version: number;
  updatedAt: Date;
  expiresAt: Date | null;
}

export class MemoryState {
  readonly sessions = new Map<string, MemorySession>();
  readonly turns = new Map<string, MemoryTurn>();
  /** turn id -> idx -> step */
  readonly steps = new Map<string, Map<number, Step>>();
  readonly completions = new Map<string, TurnCompletion>();
  /** `${kind}\x1f${id}` -> key -> entry */
  readonly context = new Map<string, Map<string, MemoryContextEntry>>();

  turnsOf(sessionId: string): MemoryTurn[] {
    return [...this.turns.values()].filter((t) => t.sessionId === sessionId);
  }

  touch(sessionId: string, at: Date): void {
    const s = this.sessions.get(sessionId);
    if (s && at > s.lastActivity) s.lastActivity = at;
  }
}
