import { ValidationError } from '../domain/errors.ts';
import { dayOf, type Role } from '../domain/model.ts';
import {
  byCountThenLabel,
  byScoreThenTurn,
  latencyOf,
  type BranchTurn,
  type DayCount,
  type DayTurnCount,
  type KeyQueries,
  type LabelCount,
  type LabeledTurn,
  type LabelFraction,
  type Page,
  type PageRequest,
  type PendingInput,
  type SessionListItem,
  type SessionSummary,
  type Sibling,
  type StepItem,
  type TypeCount,
  type TypeLatency,
} from '../domain/queries.ts';
import { labelOf, STEP_TYPES, StepType, stepTypeName } from '../domain/step-types.ts';
import type { SessionModel } from '../seed/generator.ts';
import { ROOT } from '../store/writes.ts';

/**
 * The expected answer of every key query, computed from the generator's own model (never from a
 * database). With a focus, per-session detail is kept only for the focused sessions and per-account
 * aggregates only for the focused accounts, so a build over millions of steps stays small; an absent
 * set means "no restriction" on that side. Asking about an id outside the focus throws, rather than
 * silently expecting an empty answer.
 */
export interface Focus {
  accounts?: ReadonlySet<string>;
  sessions?: ReadonlySet<string>;
  /** Erased sessions: the truth is that of a dataset they were never written to (their queries answer empty). */
  excluded?: ReadonlySet<string>;
}

/** The models without the `excluded` sessions: the dataset after they were erased. */
export function* withoutSessions(models: Iterable<SessionModel>, excluded?: ReadonlySet<string>) {
  for (const m of models) if (!excluded?.has(m.session.sessionId)) yield m;
}

interface SessionDetail {
  summary: SessionSummary;
  branch: BranchTurn[];
}

interface TurnDetail {
  steps: StepItem[];
  /** Shared by every child of the same parent. */
  siblings: Sibling[];
}

interface Labeled {
  label: string;
  score: number;
  turnId: string;
  idx: number;
  sessionId: string;
}

interface AccountDetail {
  sessions: (SessionListItem & { at: number })[];
  turnsByDay: Map<string, { human: number; agent: number }>;
  /** day -> step type -> durations. */
  durations: Map<string, Map<StepType, number[]>>;
  /** day -> language -> count. */
  languages: Map<string, Map<string, number>>;
  /** day -> classifier verdicts. */
  classified: Map<string, Labeled[]>;
  /** With the asking turn's day. */
  pending: (PendingInput & { day: string })[];
}

const ms = (d: Date): number => d.getTime();
const iso = (d: Date): string => d.toISOString();
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const TYPES_IN_ORDER = [...STEP_TYPES].sort((a, b) => a - b);

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/** Offset cursors: opaque to callers, and enough for a list held in memory. */
function paged<T>(all: readonly T[], page: PageRequest): Page<T> {
  if (!Number.isInteger(page.limit) || page.limit < 1) throw new ValidationError('limit', 'must be a positive integer');
  const offset = page.cursor === undefined ? 0 : Number(page.cursor);
  if (!Number.isInteger(offset) || offset < 0)
    throw new ValidationError('cursor', 'is not a cursor this query returned');
  const items = all.slice(offset, offset + page.limit);
  const next = offset + items.length;
  return next < all.length ? { items, cursor: String(next) } : { items };
}

export class GroundTruth implements KeyQueries {
  private readonly sessions = new Map<string, SessionDetail>();
  private readonly turns = new Map<string, TurnDetail>();
  private readonly accounts = new Map<string, AccountDetail>();
  /** agentVersion -> day -> agent turns: small (versions x days), always kept. */
  private readonly versions = new Map<string, Map<string, number>>();

  private constructor(private readonly focus: Focus | undefined) {}

  static build(models: Iterable<SessionModel>, focus?: Focus): GroundTruth {
    const truth = new GroundTruth(focus);
    for (const m of withoutSessions(models, focus?.excluded)) truth.add(m);
    for (const a of truth.accounts.values()) {
      a.sessions.sort((x, y) => y.at - x.at || compareText(y.sessionId, x.sessionId));
      a.pending.sort((x, y) => compareText(x.sessionId, y.sessionId) || compareText(x.turnId, y.turnId));
    }
    return truth;
  }

  private add(m: SessionModel): void {
    const { session } = m;
    const keepSession = !this.focus?.sessions || this.focus.sessions.has(session.sessionId);
    const keepAccount = !this.focus?.accounts || this.focus.accounts.has(session.accountId);

    for (const t of m.turns) {
      if (t.role === 'agent' && t.agentVersion) {
        const byDay = getOr(this.versions, t.agentVersion, () => new Map<string, number>());
        const day = dayOf(t.createdAt);
        byDay.set(day, (byDay.get(day) ?? 0) + 1);
      }
    }
    if (!keepSession && !keepAccount) return;

    let last = ms(session.createdAt);
    for (const t of m.turns) last = Math.max(last, ms(t.createdAt));
    for (const s of m.steps) last = Math.max(last, ms(s.createdAt));
    const lastActivity = new Date(last).toISOString();

    if (keepSession) this.addSessionDetail(m, lastActivity);
    if (keepAccount) this.addAccountDetail(m, lastActivity);
  }

  private addSessionDetail(m: SessionModel, lastActivity: string): void {
    const { session } = m;
    const byId = new Map(m.turns.map((t) => [t.turnId, t]));
    const siblings = new Map<string, Sibling[]>();
    for (const t of m.turns) {
      const list = getOr(siblings, t.parentId ?? ROOT, () => []);
      list.push({ turnId: t.turnId, role: t.role, createdAt: iso(t.createdAt) });
      this.turns.set(t.turnId, { steps: [], siblings: list });
    }
    for (const list of siblings.values())
      list.sort((a, b) => compareText(a.createdAt, b.createdAt) || compareText(a.turnId, b.turnId));
    for (const s of m.steps) {
      this.turns
        .get(s.turnId)
        ?.steps.push({ idx: s.idx, type: stepTypeName(s.type), content: s.content, durationMs: s.durationMs });
    }
    for (const t of m.turns) this.turns.get(t.turnId)!.steps.sort((a, b) => a.idx - b.idx);

    const branch: BranchTurn[] = [];
    for (let id = m.active.get(ROOT); id && byId.has(id) && branch.length < byId.size; id = m.active.get(id)) {
      const t = byId.get(id)!;
      branch.push({
        turnId: t.turnId,
        role: t.role,
        parentId: t.parentId,
        prompt: t.prompt,
        createdAt: iso(t.createdAt),
      });
    }
    const count = (role: Role) => m.turns.filter((t) => t.role === role).length;
    this.sessions.set(session.sessionId, {
      summary: {
        sessionId: session.sessionId,
        accountId: session.accountId,
        title: session.title,
        createdAt: iso(session.createdAt),
        lastActivity,
        humanTurns: count('human'),
        agentTurns: count('agent'),
      },
      branch,
    });
  }

  private addAccountDetail(m: SessionModel, lastActivity: string): void {
    const { session } = m;
    const a = getOr(this.accounts, session.accountId, () => ({
      sessions: [],
      turnsByDay: new Map(),
      durations: new Map(),
      languages: new Map(),
      classified: new Map(),
      pending: [],
    }));
    a.sessions.push({
      sessionId: session.sessionId,
      title: session.title,
      createdAt: iso(session.createdAt),
      lastActivity,
      at: ms(session.createdAt),
    });

    const turnDay = new Map<string, string>();
    for (const t of m.turns) {
      const day = dayOf(t.createdAt);
      turnDay.set(t.turnId, day);
      getOr(a.turnsByDay, day, () => ({ human: 0, agent: 0 }))[t.role]++;
    }
    const questions = new Map<string, { question: string; createdAt: string }>();
    for (const s of m.steps) {
      const day = turnDay.get(s.turnId);
      if (day === undefined) continue;
      getOr(
        getOr(a.durations, day, () => new Map<StepType, number[]>()),
        s.type,
        () => [],
      ).push(s.durationMs);
      if (s.type === StepType.TurnClassifier || s.type === StepType.LangDetection) {
        const label = labelOf(s.type, JSON.parse(s.content));
        if (label?.source === 'classifier') {
          getOr(a.classified, day, () => []).push({
            label: label.label,
            score: label.score,
            turnId: s.turnId,
            idx: s.idx,
            sessionId: s.sessionId,
          });
        } else if (label) {
          const langs = getOr(a.languages, day, () => new Map<string, number>());
          langs.set(label.label, (langs.get(label.label) ?? 0) + 1);
        }
      } else if (s.type === StepType.InputRequest && m.pending.has(s.turnId)) {
        // One entry per turn: its InputRequest with the highest idx (steps come in idx order per turn).
        questions.set(s.turnId, {
          question: (JSON.parse(s.content) as { question: string }).question,
          createdAt: iso(s.createdAt),
        });
      }
    }
    for (const [turnId, q] of questions)
      a.pending.push({
        sessionId: session.sessionId,
        turnId,
        question: q.question,
        createdAt: q.createdAt,
        day: turnDay.get(turnId)!,
      });
  }

  private session(sessionId: string): SessionDetail | undefined {
    if (this.focus?.sessions && !this.focus.sessions.has(sessionId))
      throw new Error(`session ${sessionId} is outside the ground truth's focus`);
    return this.sessions.get(sessionId);
  }

  private account(accountId: string): AccountDetail | undefined {
    if (this.focus?.accounts && !this.focus.accounts.has(accountId))
      throw new Error(`account ${accountId} is outside the ground truth's focus`);
    return this.accounts.get(accountId);
  }

  async activeBranch(sessionId: string): Promise<BranchTurn[]> {
    return this.session(sessionId)?.branch.map((t) => ({ ...t })) ?? [];
  }

  async accountSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    const all = this.account(accountId)?.sessions ?? [];
    const p = paged(all, page);
    return {
      ...p,
      items: p.items.map(({ sessionId, title, createdAt, lastActivity }) => ({
        sessionId,
        title,
        createdAt,
        lastActivity,
      })),
    };
  }

  async turnSteps(turnId: string, page: PageRequest): Promise<Page<StepItem>> {
    const p = paged(this.turns.get(turnId)?.steps ?? [], page);
    return { ...p, items: p.items.map((s) => ({ ...s })) };
  }

  async siblings(turnId: string): Promise<Sibling[]> {
    return this.turns.get(turnId)?.siblings.map((s) => ({ ...s })) ?? [];
  }

  async sessionSummary(sessionId: string): Promise<SessionSummary | null> {
    const s = this.session(sessionId);
    return s ? { ...s.summary } : null;
  }

  async turnsPerDay(accountId: string, days: string[]): Promise<DayTurnCount[]> {
    const a = this.account(accountId);
    return days.map((day) => {
      const c = a?.turnsByDay.get(day);
      return { day, human: c?.human ?? 0, agent: c?.agent ?? 0 };
    });
  }

  async stepTypeDistribution(accountId: string, day: string): Promise<TypeCount[]> {
    const byType = this.account(accountId)?.durations.get(day);
    return TYPES_IN_ORDER.filter((t) => byType?.get(t)?.length).map((t) => ({
      type: stepTypeName(t),
      count: byType!.get(t)!.length,
    }));
  }

  async stepLatency(accountId: string, days: string[]): Promise<TypeLatency[]> {
    const a = this.account(accountId);
    const out: TypeLatency[] = [];
    for (const t of TYPES_IN_ORDER) {
      const all: number[] = [];
      for (const day of days) for (const d of a?.durations.get(day)?.get(t) ?? []) all.push(d);
      if (all.length)
        out.push(
          latencyOf(
            stepTypeName(t),
            all.sort((x, y) => x - y),
          ),
        );
    }
    return out;
  }

  async pendingInputs(accountId: string, days: string[]): Promise<PendingInput[]> {
    const wanted = new Set(days);
    return (this.account(accountId)?.pending ?? [])
      .filter((p) => wanted.has(p.day))
      .map(({ sessionId, turnId, question, createdAt }) => ({ sessionId, turnId, question, createdAt }));
  }

  async languageMix(accountId: string, days: string[]): Promise<LabelCount[]> {
    const a = this.account(accountId);
    const total = new Map<string, number>();
    for (const day of days)
      for (const [label, n] of a?.languages.get(day) ?? []) total.set(label, (total.get(label) ?? 0) + n);
    return [...total].map(([label, count]) => ({ label, count })).sort(byCountThenLabel);
  }

  async turnsByLabel(accountId: string, days: string[], label: string, minScore: number): Promise<LabeledTurn[]> {
    const a = this.account(accountId);
    const out: LabeledTurn[] = [];
    for (const day of days) {
      for (const c of a?.classified.get(day) ?? []) {
        if (c.label === label && c.score >= minScore)
          out.push({ turnId: c.turnId, idx: c.idx, sessionId: c.sessionId, day, score: c.score });
      }
    }
    return out.sort(byScoreThenTurn);
  }

  async labelFractions(accountId: string, days: string[]): Promise<LabelFraction[]> {
    const a = this.account(accountId);
    return days.flatMap((day) => {
      const verdicts = a?.classified.get(day) ?? [];
      const counts = new Map<string, number>();
      for (const c of verdicts) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
      return [...counts.keys()].sort(compareText).map((label) => {
        const count = counts.get(label)!;
        return { day, label, count, fraction: count / verdicts.length };
      });
    });
  }

  async agentTurnsByVersion(agentVersion: string, days: string[]): Promise<DayCount[]> {
    const byDay = this.versions.get(agentVersion);
    return days.map((day) => ({ day, count: byDay?.get(day) ?? 0 }));
  }
}
