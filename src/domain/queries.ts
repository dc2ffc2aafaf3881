import type { Role } from './model.ts';
import type { StepTypeName } from './step-types.ts';

/**
 * The key queries, as one contract. The CQL store, the ground truth computed from the seeder's
 * model, the Redis read models and the PostgreSQL baseline answer with exactly these shapes, so the
 * verifier compares them with a deep equality. Times are ISO-8601 strings; lists have a defined
 * order. Every day is the UTC day of the turn a row belongs to (a step counts on its turn's day).
 * A step rewritten under the same (turn, idx) counts once, with its last written values.
 */

export interface Page<T> {
  items: T[];
  /**
   * Opaque; pass it back to get the next page. Present exactly when more items follow: a page that
   * ends the list has none, so no caller ever fetches an empty page.
   */
  cursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** P1: root to leaf, following active_root then active_child. */
export interface BranchTurn {
  turnId: string;
  role: Role;
  parentId: string | null;
  prompt: string;
  createdAt: string;
}

/** P2: every session of the account, whatever its age, newest first (created_at DESC, then session_id DESC). */
export interface SessionListItem {
  sessionId: string;
  title: string;
  createdAt: string;
  lastActivity: string;
}

/** P3: in idx order. */
export interface StepItem {
  idx: number;
  type: StepTypeName;
  content: string;
  durationMs: number;
}

/** P4: every child of the turn's parent (the turn included), oldest first. */
export interface Sibling {
  turnId: string;
  role: Role;
  createdAt: string;
}

/** P5 */
export interface SessionSummary {
  sessionId: string;
  accountId: string;
  title: string;
  createdAt: string;
  lastActivity: string;
  humanTurns: number;
  agentTurns: number;
}

/** A1: one entry per requested day, in the order requested. */
export interface DayTurnCount {
  day: string;
  human: number;
  agent: number;
}

/** A2: only the types that occur, in enum order. */
export interface TypeCount {
  type: StepTypeName;
  count: number;
}

/** A3: nearest-rank percentiles of duration_ms over the requested days, types in enum order. */
export interface TypeLatency {
  type: StepTypeName;
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * A5: the agent turns, asked on the requested days, whose steps include an InputRequest that is
 * still open: no human turn answers the agent turn, and no newer agent turn answers the same human
 * turn (a regeneration replaces the question). One entry per turn: its InputRequest with the
 * highest idx. Ordered by session, then turn. The days bound how long a request stays pending:
 * callers ask for the window they show (a week, say), and older requests drop out of it.
 */
export interface PendingInput {
  sessionId: string;
  turnId: string;
  question: string;
  createdAt: string;
}

/** A6: most frequent first, then by label. */
export interface LabelCount {
  label: string;
  count: number;
}

/** E1: highest score first, then turn and step. */
export interface LabeledTurn {
  turnId: string;
  idx: number;
  sessionId: string;
  day: string;
  score: number;
}

/** E2: per requested day (in order), labels alphabetically; fraction = count / the day's classified steps. */
export interface LabelFraction {
  day: string;
  label: string;
  count: number;
  fraction: number;
}

/** E3: one entry per requested day, in the order requested. */
export interface DayCount {
  day: string;
  count: number;
}

export interface KeyQueries {
  activeBranch(sessionId: string): Promise<BranchTurn[]>;
  accountSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>>;
  turnSteps(turnId: string, page: PageRequest): Promise<Page<StepItem>>;
  siblings(turnId: string): Promise<Sibling[]>;
  sessionSummary(sessionId: string): Promise<SessionSummary | null>;
  turnsPerDay(accountId: string, days: string[]): Promise<DayTurnCount[]>;
  stepTypeDistribution(accountId: string, day: string): Promise<TypeCount[]>;
  stepLatency(accountId: string, days: string[]): Promise<TypeLatency[]>;
  pendingInputs(accountId: string, days: string[]): Promise<PendingInput[]>;
  languageMix(accountId: string, days: string[]): Promise<LabelCount[]>;
  turnsByLabel(accountId: string, days: string[], label: string, minScore: number): Promise<LabeledTurn[]>;
  labelFractions(accountId: string, days: string[]): Promise<LabelFraction[]>;
  agentTurnsByVersion(agentVersion: string, days: string[]): Promise<DayCount[]>;
}

/**
 * Each key query's id and title, in report order: P product, A analytics, E evaluation (docs/brief.md,
 * task 3). A new method of KeyQueries needs its entry here (the compiler says so); the verifier then
 * fails until src/verify/checks.ts checksFor asks it.
 */
export const KEY_QUERIES = {
  activeBranch: { id: 'P1', title: 'active branch of a session' },
  accountSessions: { id: 'P2', title: "account's sessions by recency (paged)" },
  turnSteps: { id: 'P3', title: "turn's steps in idx order (paged)" },
  siblings: { id: 'P4', title: 'siblings / regenerations of a turn' },
  sessionSummary: { id: 'P5', title: 'session summary' },
  turnsPerDay: { id: 'A1', title: 'turns per day per account' },
  stepTypeDistribution: { id: 'A2', title: 'step-type distribution per account-day' },
  stepLatency: { id: 'A3', title: 'per-step-type latency percentiles' },
  pendingInputs: { id: 'A5', title: 'sessions with a pending InputRequest' },
  languageMix: { id: 'A6', title: 'language mix' },
  turnsByLabel: { id: 'E1', title: 'turns by classifier label, score >= x' },
  labelFractions: { id: 'E2', title: 'label fractions over time' },
  agentTurnsByVersion: { id: 'E3', title: 'agent turns per version per day' },
} as const satisfies Record<keyof KeyQueries, { id: string; title: string }>;

/** Nearest-rank percentile of an ascending list: the smallest value with at least p% at or below it. */
export function nearestRank(sortedAsc: readonly number[], p: number): number {
  if (sortedAsc.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[rank - 1]!;
}

export function latencyOf(type: StepTypeName, sortedAsc: readonly number[]): TypeLatency {
  return {
    type,
    count: sortedAsc.length,
    p50: nearestRank(sortedAsc, 50),
    p90: nearestRank(sortedAsc, 90),
    p99: nearestRank(sortedAsc, 99),
    max: sortedAsc[sortedAsc.length - 1] ?? 0,
  };
}

export function byCountThenLabel(a: LabelCount, b: LabelCount): number {
  return b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

export function byScoreThenTurn(a: LabeledTurn, b: LabeledTurn): number {
  return b.score - a.score || (a.turnId < b.turnId ? -1 : a.turnId > b.turnId ? 1 : 0) || a.idx - b.idx;
}
