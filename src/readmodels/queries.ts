import { ValidationError } from '../domain/errors.ts';
import type { Role } from '../domain/model.ts';
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
import { STEP_TYPES, stepTypeName, type StepType } from '../domain/step-types.ts';
import { checkDays, checkLimit, checkMinScore, decodeCursor, encodeCursor } from '../domain/query-args.ts';
import type { Redis } from '../clients/redis.ts';
import { LiveKeys } from './generation.ts';
import { SEP, type Keys } from './keys.ts';

const iso = (ms: string | number | null | undefined): string => new Date(Number(ms)).toISOString();
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const TYPES = [...STEP_TYPES].sort((a, b) => a - b);

interface TimelineEntry {
  r: Role;
  p: string;
  c: number;
  pr: string;
}

/**
 * The key queries over the Redis read models, with the result shapes and orders of the CQL store
 * (src/store/queries.ts), so the verifier compares it with the same ground truth. Each query is a
 * handful of commands issued together (node-redis pipelines them in one round trip). The live
 * generation is re-read at most once a second, so a rebuild's switch is seen within a second.
 */
export class RedisQueries implements KeyQueries {
  private readonly live: LiveKeys;

  constructor(
    private readonly redis: Redis,
    base: string,
    refreshMs = 1000,
  ) {
    this.live = new LiveKeys(redis, base, refreshMs);
  }

  private k(): Promise<Keys> {
    return this.live.get();
  }

  async activeBranch(sessionId: string): Promise<BranchTurn[]> {
    const k = await this.k();
    const [timeline, active] = await Promise.all([
      this.redis.hGetAll(k.timeline(sessionId)),
      this.redis.hGetAll(k.active(sessionId)),
    ]);
    const size = Object.keys(timeline).length;
    const branch: BranchTurn[] = [];
    for (let id = active['']; id && timeline[id] && branch.length < size; id = active[id]) {
      const t = JSON.parse(timeline[id]!) as TimelineEntry;
      branch.push({ turnId: id, role: t.r, parentId: t.p === '' ? null : t.p, prompt: t.pr, createdAt: iso(t.c) });
    }
    return branch;
  }

  async accountSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    const limit = checkLimit(page);
    const k = await this.k();
    const after = decodeCursor<string>(page.cursor);
    let start = 0;
    if (after !== undefined) {
      const rank = await this.redis.zRevRank(k.accountSessions(accountId), after);
      if (rank === null)
        throw new ValidationError('cursor', 'is not a cursor this query returned; start again without one');
      start = rank + 1;
    }
    const ids = await this.redis.zRange(k.accountSessions(accountId), start, start + limit, { REV: true });
    const shown = ids.slice(0, limit);
    const rows = await Promise.all(shown.map((sid) => this.redis.hmGet(k.session(sid), ['t', 'c', 'la'])));
    const items = shown.map((sessionId, i) => {
      const [title, created, last] = rows[i]!;
      return { sessionId, title: title ?? '', createdAt: iso(created), lastActivity: iso(last ?? created) };
    });
    return ids.length > limit ? { items, cursor: encodeCursor(shown[shown.length - 1]) } : { items };
  }

  async turnSteps(turnId: string, page: PageRequest): Promise<Page<StepItem>> {
    const limit = checkLimit(page);
    const k = await this.k();
    const after = decodeCursor<number>(page.cursor) ?? -1;
    const idxs = await this.redis.zRangeByScore(k.stepOrder(turnId), `(${after}`, '+inf', {
      LIMIT: { offset: 0, count: limit + 1 },
    });
    const shown = idxs.slice(0, limit);
    const bodies = shown.length ? await this.redis.hmGet(k.stepContent(turnId), shown) : [];
    const items = shown.map((idx, i) => {
      const s = JSON.parse(bodies[i] ?? '{}') as { y: StepType; c: string; d: number };
      return { idx: Number(idx), type: stepTypeName(s.y), content: s.c, durationMs: s.d };
    });
    return idxs.length > limit ? { items, cursor: encodeCursor(items[items.length - 1]!.idx) } : { items };
  }

  async siblings(turnId: string): Promise<Sibling[]> {
    const k = await this.k();
    const ref = await this.redis.get(k.turn(turnId));
    if (!ref) return [];
    const [sid, parent] = ref.split(SEP) as [string, string];
    const members = await this.redis.zRangeWithScores(k.siblings(sid, parent), 0, -1);
    if (!members.length) return [];
    const roles = await this.redis.hmGet(
      k.timeline(sid),
      members.map((m) => m.value),
    );
    return members.map((m, i) => ({
      turnId: m.value,
      role: (JSON.parse(roles[i] ?? '{}') as TimelineEntry).r,
      createdAt: iso(m.score),
    }));
  }

  async sessionSummary(sessionId: string): Promise<SessionSummary | null> {
    const k = await this.k();
    const [s, human, agent] = await Promise.all([
      this.redis.hGetAll(k.session(sessionId)),
      this.redis.sCard(k.turnsOfRole(sessionId, 'human')),
      this.redis.sCard(k.turnsOfRole(sessionId, 'agent')),
    ]);
    if (s['a'] === undefined || s['c'] === undefined) return null;
    return {
      sessionId,
      accountId: s['a'],
      title: s['t'] ?? '',
      createdAt: iso(s['c']),
      lastActivity: iso(s['la'] ?? s['c']),
      humanTurns: human,
      agentTurns: agent,
    };
  }

  async turnsPerDay(accountId: string, days: string[]): Promise<DayTurnCount[]> {
    const k = await this.k();
    return Promise.all(
      checkDays(days).map(async (day) => {
        const [human, agent] = await Promise.all([
          this.redis.sCard(k.turnsByDay(accountId, day, 'human')),
          this.redis.sCard(k.turnsByDay(accountId, day, 'agent')),
        ]);
        return { day, human, agent };
      }),
    );
  }

  async stepTypeDistribution(accountId: string, day: string): Promise<TypeCount[]> {
    checkDays([day]);
    const k = await this.k();
    const counts = await Promise.all(TYPES.map((t) => this.redis.zCard(k.latency(accountId, day, t))));
    return TYPES.map((t, i) => ({ type: stepTypeName(t), count: counts[i]! })).filter((c) => c.count > 0);
  }

  async stepLatency(accountId: string, days: string[]): Promise<TypeLatency[]> {
    const k = await this.k();
    const checked = checkDays(days);
    const perType = await Promise.all(
      TYPES.map(async (t) => {
        const lists = await Promise.all(
          checked.map((d) => this.redis.zRangeWithScores(k.latency(accountId, d, t), 0, -1)),
        );
        return lists
          .flat()
          .map((m) => m.score)
          .sort((a, b) => a - b);
      }),
    );
    return TYPES.flatMap((t, i) => (perType[i]!.length ? [latencyOf(stepTypeName(t), perType[i]!)] : []));
  }

  async pendingInputs(accountId: string, days: string[]): Promise<PendingInput[]> {
    const k = await this.k();
    const perDay = await Promise.all(checkDays(days).map((d) => this.redis.hGetAll(k.pending(accountId, d))));
    const byTurn = new Map<string, PendingInput & { idx: number }>();
    for (const [field, v] of perDay.flatMap((all) => Object.entries(all))) {
      const [sessionId, turnId, idx] = field.split(SEP) as [string, string, string];
      const seen = byTurn.get(turnId);
      if (seen && seen.idx > Number(idx)) continue;
      const p = JSON.parse(v) as { q: string; c: number };
      byTurn.set(turnId, { sessionId, turnId, idx: Number(idx), question: p.q, createdAt: iso(p.c) });
    }
    return [...byTurn.values()]
      .sort((a, b) => compareText(a.sessionId, b.sessionId) || compareText(a.turnId, b.turnId))
      .map(({ sessionId, turnId, question, createdAt }) => ({ sessionId, turnId, question, createdAt }));
  }

  private async countLabels(key: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const label of await this.redis.hVals(key)) counts.set(label, (counts.get(label) ?? 0) + 1);
    return counts;
  }

  async languageMix(accountId: string, days: string[]): Promise<LabelCount[]> {
    const k = await this.k();
    const total = new Map<string, number>();
    for (const counts of await Promise.all(checkDays(days).map((d) => this.countLabels(k.languages(accountId, d))))) {
      for (const [label, n] of counts) total.set(label, (total.get(label) ?? 0) + n);
    }
    return [...total].map(([label, count]) => ({ label, count })).sort(byCountThenLabel);
  }

  async turnsByLabel(accountId: string, days: string[], label: string, minScore: number): Promise<LabeledTurn[]> {
    checkMinScore(minScore);
    const k = await this.k();
    const perDay = await Promise.all(
      checkDays(days).map(async (day) => {
        const members = await this.redis.zRangeByScoreWithScores(
          k.labelScores(accountId, day, label),
          minScore,
          '+inf',
        );
        return members.map((m) => {
          const [turnId, idx, sessionId] = m.value.split(SEP) as [string, string, string];
          return { turnId, idx: Number(idx), sessionId, day, score: m.score };
        });
      }),
    );
    return perDay.flat().sort(byScoreThenTurn);
  }

  async labelFractions(accountId: string, days: string[]): Promise<LabelFraction[]> {
    const k = await this.k();
    const checked = checkDays(days);
    const perDay = await Promise.all(checked.map((d) => this.countLabels(k.labels(accountId, d))));
    return perDay.flatMap((counts, i) => {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return [...counts]
        .sort(([a], [b]) => compareText(a, b))
        .map(([label, count]) => ({ day: checked[i]!, label, count, fraction: count / total }));
    });
  }

  async agentTurnsByVersion(agentVersion: string, days: string[]): Promise<DayCount[]> {
    const k = await this.k();
    return Promise.all(
      checkDays(days).map(async (day) => ({ day, count: await this.redis.sCard(k.agentVersion(agentVersion, day)) })),
    );
  }

  /** Daily active accounts (HyperLogLog: about 0.8% standard error), beyond the key-query contract. */
  async dailyActiveAccounts(day: string): Promise<number> {
    checkDays([day]);
    return this.redis.pfCount((await this.k()).activeAccounts(day));
  }
}
