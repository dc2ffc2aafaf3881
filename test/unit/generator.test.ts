import { describe, expect, it } from 'vitest';
import { checkContent, checkDuration, checkId, checkStepIdx, checkText, LIMITS } from '../../src/domain/limits.ts';
import type { Step, Turn } from '../../src/domain/model.ts';
import { STEP_TYPES, StepType } from '../../src/domain/step-types.ts';
import {
  accountIdOf,
  AGENT_VERSIONS,
  datasetSchedules,
  generateSession,
  generateSessions,
  type SeedConfig,
  type SessionModel,
} from '../../src/seed/generator.ts';
import { ROOT } from '../../src/store/writes.ts';

// The generator's own shapes, without the churn mode's rewrites (tested on their own below).
const config: SeedConfig = { seed: 7, sessions: 300, accounts: 25, days: 14, endDate: '2026-11-01', churn: false };
const models: SessionModel[] = [...generateSessions(config)];
const allTurns = models.flatMap((m) => m.turns);
const allSteps = models.flatMap((m) => m.steps);
const windowEnd = Date.parse('2026-11-01T00:00:00Z');
const windowStart = windowEnd - 14 * 86_400_000;

describe('generator: determinism and ids', () => {
  it('gives the same session for the same (config, index), in any order of calls', () => {
    const a = generateSession(config, 17);
    generateSession(config, 250);
    generateSession({ ...config, seed: 99 }, 17);
    expect(generateSession(config, 17)).toEqual(a);
    expect(a).toEqual(models[17]);
    expect(generateSession(config, 0)).toEqual(models[0]);
    expect(generateSession(config, 299)).toEqual(models[299]);
  });

  it('yields exactly `sessions` models, index by index', () => {
    expect(models).toHaveLength(300);
    expect(new Set(models.map((m) => m.session.sessionId)).size).toBe(300);
  });

  it('makes valid ids, unique within a seed and disjoint across seeds', () => {
    const ids = (ms: SessionModel[]) => ms.flatMap((m) => [m.session.sessionId, ...m.turns.map((t) => t.turnId)]);
    const mine = ids(models);
    expect(new Set(mine).size).toBe(mine.length);
    for (const id of mine) expect(checkId('id', id)).toBe(id);
    for (const m of models) expect(checkId('accountId', m.session.accountId)).toBe(m.session.accountId);
    const other = new Set(ids([...generateSessions({ ...config, seed: 8 })]));
    expect(mine.filter((id) => other.has(id))).toEqual([]);
    expect(accountIdOf(config, 3)).not.toBe(accountIdOf({ ...config, seed: 8 }, 3));
    expect(accountIdOf(config, 3)).toBe(accountIdOf({ ...config, sessions: 5 }, 3));
  });
});

describe('generator: content and limits', () => {
  it('uses all 13 step types, and every content passes its schema', () => {
    expect(new Set(allSteps.map((s) => s.type))).toEqual(new Set(STEP_TYPES));
    for (const s of allSteps) {
      expect(() => checkContent('content', s.type, s.content)).not.toThrow();
      expect(checkDuration('durationMs', s.durationMs)).toBe(s.durationMs);
      expect(checkStepIdx('idx', s.idx)).toBe(s.idx);
    }
  });

  it('respects text limits: titles, prompts (non-empty for humans, empty for agents)', () => {
    for (const m of models) expect(() => checkText('title', m.session.title, LIMITS.titleBytes)).not.toThrow();
    for (const t of allTurns) {
      if (t.role === 'human') {
        expect(() => checkText('prompt', t.prompt, LIMITS.promptBytes)).not.toThrow();
        expect(t.agentVersion).toBeNull();
      } else {
        expect(t.prompt).toBe('');
        expect(AGENT_VERSIONS).toContain(t.agentVersion);
      }
    }
  });

  it('shapes agent turns: at most one classifier and one language step, a Text or InputRequest at the end', () => {
    const byTurn = new Map<string, Step[]>();
    for (const s of allSteps) (byTurn.get(s.turnId) ?? byTurn.set(s.turnId, []).get(s.turnId)!).push(s);
    const agents = allTurns.filter((t) => t.role === 'agent');
    for (const t of agents) {
      const steps = byTurn.get(t.turnId) ?? [];
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.filter((s) => s.type === StepType.TurnClassifier).length).toBeLessThanOrEqual(1);
      expect(steps.filter((s) => s.type === StepType.LangDetection).length).toBeLessThanOrEqual(1);
      expect([StepType.Text, StepType.InputRequest]).toContain(steps[steps.length - 1]!.type);
    }
    for (const t of allTurns.filter((t) => t.role === 'human')) expect(byTurn.has(t.turnId)).toBe(false);
    const asking =
      agents.filter((t) => byTurn.get(t.turnId)!.some((s) => s.type === StepType.InputRequest)).length / agents.length;
    expect(asking).toBeGreaterThan(0.03);
    expect(asking).toBeLessThan(0.12);
    for (const s of allSteps.filter((s) => s.type === StepType.TurnClassifier)) {
      const c = JSON.parse(s.content) as { label: string; score: number };
      expect(['question', 'how_to', 'bug_report', 'feature_request', 'complaint', 'praise', 'chitchat']).toContain(
        c.label,
      );
      expect(c.score).toBeGreaterThanOrEqual(0.3);
      expect(c.score).toBeLessThan(1);
      expect(Math.round(c.score * 1000) / 1000).toBe(c.score);
    }
  });

  it('draws realistic integer durations per step type', () => {
    const ranges: Partial<Record<StepType, [number, number]>> = {
      [StepType.LangDetection]: [5, 40],
      [StepType.TurnClassifier]: [20, 200],
      [StepType.Retrieval]: [50, 800],
      [StepType.WebSearch]: [300, 3000],
      [StepType.Think]: [200, 4000],
      [StepType.Code]: [100, 10000],
      [StepType.Text]: [500, 8000],
      [StepType.Audio]: [1000, 20000],
    };
    for (const s of allSteps) {
      expect(Number.isInteger(s.durationMs)).toBe(true);
      const r = ranges[s.type];
      if (r) {
        expect(s.durationMs).toBeGreaterThanOrEqual(r[0]);
        expect(s.durationMs).toBeLessThanOrEqual(r[1]);
      }
    }
  });
});

describe('generator: conversation DAGs', () => {
  it('follows the DAG rules: human under null or agent, agent under human, parents earlier in the same session', () => {
    for (const m of models) {
      const seen = new Map<string, Turn>();
      for (const t of m.turns) {
        expect(t.sessionId).toBe(m.session.sessionId);
        expect(t.accountId).toBe(m.session.accountId);
        const parent = t.parentId === null ? null : seen.get(t.parentId);
        if (t.role === 'human') expect(t.parentId === null || parent?.role === 'agent').toBe(true);
        else expect(parent?.role).toBe('human');
        if (parent) expect(t.createdAt.getTime()).toBeGreaterThan(parent.createdAt.getTime());
        seen.set(t.turnId, t);
      }
      expect(m.turns[0]!.parentId).toBeNull();
    }
  });

  it('has an active child for every parent, naming an existing child (ROOT -> a root)', () => {
    for (const m of models) {
      const kids = new Map<string, string[]>();
      for (const t of m.turns)
        (kids.get(t.parentId ?? ROOT) ?? kids.set(t.parentId ?? ROOT, []).get(t.parentId ?? ROOT)!).push(t.turnId);
      expect(new Set(m.active.keys())).toEqual(new Set(kids.keys()));
      for (const [parent, child] of m.active) expect(kids.get(parent)).toContain(child);
      expect(m.active.has(ROOT)).toBe(true);
    }
  });

  it('branches like real usage: regenerations, edits, second roots, switched-back pointers', () => {
    let regenerated = 0;
    let edited = 0;
    let secondRoots = 0;
    let olderShown = 0;
    for (const m of models) {
      const byId = new Map(m.turns.map((t) => [t.turnId, t]));
      const kids = new Map<string, Turn[]>();
      for (const t of m.turns)
        (kids.get(t.parentId ?? ROOT) ?? kids.set(t.parentId ?? ROOT, []).get(t.parentId ?? ROOT)!).push(t);
      for (const [parent, list] of kids) {
        if (list.length < 2) continue;
        if (list[0]!.role === 'agent') regenerated++;
        else edited++;
        if (parent === ROOT) secondRoots++;
        if (m.active.get(parent) !== list[list.length - 1]!.turnId) olderShown++;
      }
      expect(byId.get(m.active.get(ROOT)!)?.parentId).toBeNull();
    }
    expect(regenerated).toBeGreaterThan(20);
    expect(edited).toBeGreaterThan(10);
    expect(secondRoots).toBeGreaterThan(0);
    expect(olderShown).toBeGreaterThan(0);
    const lengths = models.map((m) => m.turns.filter((t) => t.role === 'human').length);
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBeGreaterThanOrEqual(8);
  });

  it('marks as pending exactly the asking agent turns that no human answered and no newer agent turn replaced', () => {
    let pending = 0;
    let answered = 0;
    for (const m of models) {
      const parents = new Set(m.turns.map((t) => t.parentId));
      const asking = new Set(m.steps.filter((s) => s.type === StepType.InputRequest).map((s) => s.turnId));
      const replaced = (t: Turn) =>
        m.turns.some((o) => o.role === 'agent' && o.parentId === t.parentId && o.createdAt > t.createdAt);
      const expected = new Set(
        m.turns.filter((t) => asking.has(t.turnId) && !parents.has(t.turnId) && !replaced(t)).map((t) => t.turnId),
      );
      expect(m.pending).toEqual(expected);
      pending += expected.size;
      answered += asking.size - expected.size;
    }
    expect(pending).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(0);
  });
});

describe('generator: time and accounts', () => {
  it('keeps every timestamp inside the window, with steps timed off their turn', () => {
    for (const m of models) {
      const start = m.session.createdAt.getTime();
      expect(start).toBeGreaterThanOrEqual(windowStart);
      const turns = new Map(m.turns.map((t) => [t.turnId, t]));
      for (const t of m.turns) {
        expect(t.createdAt.getTime()).toBeGreaterThanOrEqual(start);
        expect(t.createdAt.getTime()).toBeLessThan(windowEnd);
      }
      let turnId = '';
      let expectedAt = 0;
      let idx = 0;
      for (const s of m.steps) {
        if (s.turnId !== turnId) {
          turnId = s.turnId;
          expectedAt = turns.get(s.turnId)!.createdAt.getTime();
          idx = 0;
        }
        expect(s.idx).toBe(idx++);
        expect(s.createdAt.getTime()).toBe(expectedAt);
        expectedAt += s.durationMs;
        expect(expectedAt).toBeLessThan(windowEnd);
      }
    }
  });

  it('fits sessions into a one-day window too', () => {
    const oneDay: SeedConfig = { seed: 11, sessions: 200, accounts: 5, days: 1, endDate: '2026-03-01' };
    const end = Date.parse('2026-03-01T00:00:00Z');
    for (const m of generateSessions(oneDay)) {
      const times = [m.session.createdAt, ...m.turns.map((t) => t.createdAt)].map((d) => d.getTime());
      for (const s of m.steps) times.push(s.createdAt.getTime(), s.createdAt.getTime() + s.durationMs);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(end - 86_400_000);
      expect(Math.max(...times)).toBeLessThan(end);
    }
  });

  it('lists turns in creation order and steps by turn creation, then idx', () => {
    for (const m of models) {
      const order = m.turns.map((t) => t.createdAt.getTime());
      expect(order).toEqual([...order].sort((a, b) => a - b));
      const position = new Map(m.turns.map((t, i) => [t.turnId, i]));
      const stepOrder = m.steps.map((s) => position.get(s.turnId)! * 1000 + s.idx);
      expect(stepOrder).toEqual([...stepOrder].sort((a, b) => a - b));
    }
  });

  it('puts the next human turn after the agent it answers has finished', () => {
    for (const m of models) {
      const ends = new Map<string, number>();
      for (const s of m.steps) ends.set(s.turnId, s.createdAt.getTime() + s.durationMs);
      for (const t of m.turns)
        if (t.role === 'human' && t.parentId) expect(t.createdAt.getTime()).toBeGreaterThan(ends.get(t.parentId)!);
    }
  });

  it('rolls agent versions out over time: newer versions later', () => {
    const mean = AGENT_VERSIONS.map((v) => {
      const at = allTurns.filter((t) => t.agentVersion === v).map((t) => t.createdAt.getTime());
      return at.reduce((a, b) => a + b, 0) / at.length;
    });
    expect(mean.every((m) => Number.isFinite(m))).toBe(true);
    expect(mean).toEqual([...mean].sort((a, b) => a - b));
  });

  it('skews activity: the most active account (index 0) has clearly more sessions than the median one', () => {
    const counts = new Map<string, number>();
    for (const m of models) counts.set(m.session.accountId, (counts.get(m.session.accountId) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(counts.get(accountIdOf(config, 0))).toBe(sorted[0]);
    expect(sorted[0]!).toBeGreaterThan(4 * sorted[Math.floor(sorted.length / 2)]!);
    for (const id of counts.keys()) expect(id.startsWith(accountIdOf(config, 0).replace(/_0$/, '_'))).toBe(true);
  });
});

describe('generator: churn mode (on unless churn is false)', () => {
  const churned = { ...config, churn: undefined };
  const ms = [...generateSessions(churned)];
  const finals = new Map(ms.flatMap((m) => m.steps.map((s) => [`${s.turnId}/${s.idx}`, s] as const)));
  const superseded = ms.flatMap((m) => m.superseded);

  it('rewrites steps under the same (turn, idx): each earlier version is replaced by a later one', () => {
    expect(models.every((m) => m.superseded.length === 0)).toBe(true);
    expect(superseded.length).toBeGreaterThan(50);
    for (const old of superseded) {
      const last = finals.get(`${old.turnId}/${old.idx}`)!;
      expect(last.createdAt.getTime()).toBeGreaterThan(old.createdAt.getTime());
      expect(() => checkContent('content', old.type, old.content)).not.toThrow();
      expect(last.createdAt.getTime()).toBeLessThan(windowEnd);
    }
    const changed = (f: (a: Step, b: Step) => boolean) =>
      superseded.filter((old) => f(old, finals.get(`${old.turnId}/${old.idx}`)!)).length;
    expect(
      changed((a, b) => a.type === b.type && a.content === b.content && a.durationMs !== b.durationMs),
    ).toBeGreaterThan(5);
    expect(changed((a, b) => a.type === b.type && a.content !== b.content)).toBeGreaterThan(5);
    expect(
      changed(
        (a, b) => a.type === StepType.TurnClassifier && b.type === StepType.TurnClassifier && a.content !== b.content,
      ),
    ).toBeGreaterThan(3);
    expect(changed((a, b) => a.type === StepType.InputRequest && b.type !== StepType.InputRequest)).toBeGreaterThan(3);
    expect(changed((a, b) => a.type !== StepType.InputRequest && b.type === StepType.InputRequest)).toBeGreaterThan(3);
    expect(changed((a, b) => a.type === StepType.LangDetection && b.type === StepType.TurnClassifier)).toBeGreaterThan(
      0,
    );
  });

  it('answers questions at once, or regenerates them away; pending follows the last versions', () => {
    let atOnce = 0;
    let replaced = 0;
    for (const m of ms) {
      const asking = new Set(m.steps.filter((s) => s.type === StepType.InputRequest).map((s) => s.turnId));
      const ends = new Map<string, number>();
      for (const s of m.steps)
        ends.set(s.turnId, Math.max(ends.get(s.turnId) ?? 0, s.createdAt.getTime() + s.durationMs));
      for (const t of m.turns) {
        if (
          t.role === 'human' &&
          t.parentId &&
          asking.has(t.parentId) &&
          t.createdAt.getTime() - ends.get(t.parentId)! < 2000
        )
          atOnce++;
        if (
          t.role === 'agent' &&
          asking.has(t.turnId) &&
          m.turns.some((o) => o.role === 'agent' && o.parentId === t.parentId && o.createdAt > t.createdAt)
        )
          replaced++;
      }
      const answeredOrReplaced = (id: string) =>
        m.turns.some((o) => o.parentId === id) ||
        m.turns.some((o) => {
          const t = m.turns.find((x) => x.turnId === id)!;
          return o.role === 'agent' && o.parentId === t.parentId && o.createdAt > t.createdAt;
        });
      expect(m.pending).toEqual(new Set([...asking].filter((id) => !answeredOrReplaced(id))));
    }
    expect(atOnce).toBeGreaterThan(30);
    expect(replaced).toBeGreaterThan(10);
  });

  it('buckets the two most active accounts, one of them changing its bucket count mid-window', () => {
    const schedules = datasetSchedules(churned);
    expect(schedules.get(accountIdOf(config, 0))).toEqual([
      { since: '2026-10-18', buckets: 4 },
      { since: '2026-10-25', buckets: 8 },
    ]);
    expect(schedules.get(accountIdOf(config, 1))).toEqual([{ since: '2026-10-22', buckets: 2 }]);
    expect(datasetSchedules(config).size).toBe(0);
  });

  it('changes what happens in a session, not whose it is or when it starts', () => {
    expect(ms.map((m) => m.session)).toEqual(models.map((m) => m.session));
    expect(ms.filter((m, i) => m.turns.length !== models[i]!.turns.length).length).toBeGreaterThan(10);
  });
});
