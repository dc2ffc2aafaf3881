import type { StepType } from './step-types.ts';

/** Who wrote a turn. A human turn's parent is null or an agent turn; an agent turn's parent is a human turn. */
export type Role = 'human' | 'agent';

export interface Session {
  sessionId: string;
  accountId: string;
  title: string;
  createdAt: Date;
}

export interface Turn {
  turnId: string;
  sessionId: string;
  accountId: string;
  role: Role;
  /** null for the first turn of a session (and for an edited first turn: a second root). */
  parentId: string | null;
  /** The human's message; empty for agent turns, whose content is their steps. */
  prompt: string;
  /** Which agent build produced an agent turn (null for human turns); used to compare versions. */
  agentVersion: string | null;
  createdAt: Date;
}

export interface Step {
  turnId: string;
  sessionId: string;
  accountId: string;
  idx: number;
  type: StepType;
  /** JSON text, validated against the step type's content schema. */
  content: string;
  createdAt: Date;
  durationMs: number;
}

/** Days are UTC calendar days, written 'YYYY-MM-DD' everywhere in the API. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Month buckets bound the partitions of an account's session list. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
