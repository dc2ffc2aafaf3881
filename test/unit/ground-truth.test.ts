import { describe, expect, it } from 'vitest';
import type { KeyQueries, PageRequest } from '../../src/domain/queries.ts';
import { StepType } from '../../src/domain/step-types.ts';
import { generateSessions, type SessionModel } from '../../src/seed/generator.ts';
import { ROOT } from '../../src/store/writes.ts';
import { GroundTruth } from '../../src/verify/ground-truth.ts';
import { at, cls, model, text } from '../support/session-model.ts';

// Session s1 of account A on 2026-10-01: a regenerated first answer, a pending InputRequest, an edited
// first prompt (a second root, while the user switched back to the first root), and a turn at 23:59:59
// whose second step spills into 2026-10-02 (it still counts on the turn's day).
const s1 = model(
  { sessionId: 's1', accountId: 'A', title: 'Export help', createdAt: at('2026-10-01T10:00:00.000Z') },
  [
    { id: 'h1', role: 'human', parent: null, at: '2026-10-01T10:00:00.100Z', prompt: 'How do I export?' },
    {
      id: 'g1',
      role: 'agent',
      parent: 'h1',
      at: '2026-10-01T10:00:01.000Z',
      steps: [
        [StepType.LangDetection, { language: 'en', confidence: 0.9 }, 10],
        [StepType.TurnClassifier, cls('question', 0.8), 50],
        [StepType.Text, text('Like this.'), 1000],
      ],
    },
    {
      id: 'g1b',
      role: 'agent',
      parent: 'h1',
      at: '2026-10-01T10:00:10.000Z',
      steps: [
        [StepType.TurnClassifier, cls('bug_report', 0.95), 40],
        [StepType.Text, text('Or like this.'), 2000],
      ],
    },
    { id: 'h2', role: 'human', parent: 'g1b', at: '2026-10-01T10:00:30.000Z', prompt: 'It fails.' },
    {
      id: 'g2',
      role: 'agent',
      parent: 'h2',
      at: '2026-10-01T10:00:31.000Z',
      steps: [
        [StepType.TurnClassifier, cls('bug_report', 0.7), 30],
        [StepType.InputRequest, { question: 'Which env?', inputType: 'choice', options: ['prod', 'dev'] }, 100],
      ],
    },
    { id: 'h0', role: 'human', parent: null, at: '2026-10-01T23:59:58.000Z', prompt: 'How do I export to CSV?' },
    {
      id: 'g3',
      role: 'agent',
      parent: 'h0',
      at: '2026-10-01T23:59:59.500Z',
      steps: [
        [StepType.TurnClassifier, cls('question', 0.6), 20],
        [StepType.Think, text('Short.'), 600],
        [StepType.Text, text('Use the CSV button.'), 3000],
      ],
    },
  ],
  [
    [ROOT, 'h1'],
    ['h1', 'g1b'],
    ['g1b', 'h2'],
    ['h2', 'g2'],
    ['h0', 'g3'],
  ],
  ['g2'],
);

// Session s2 of account A on 2026-10-02: an answered InputRequest (not pending), version v2.
const s2 = model(
  { sessionId: 's2', accountId: 'A', title: 'Wetter', createdAt: at('2026-10-02T08:00:00.000Z') },
  [
    { id: 'k1', role: 'human', parent: null, at: '2026-10-02T08:00:00.200Z', prompt: 'Wie wird das Wetter?' },
    {
      id: 'm1',
      role: 'agent',
      parent: 'k1',
      at: '2026-10-02T08:00:00.500Z',
      version: 'v2',
      steps: [
        [StepType.LangDetection, { language: 'de', confidence: 0.8 }, 12],
        [StepType.TurnClassifier, cls('question', 0.8), 60],
        [StepType.Think, text('Look it up.'), 700],
        [StepType.InputRequest, { question: 'Welche Stadt?', inputType: 'text' }, 90],
      ],
    },
    { id: 'k2', role: 'human', parent: 'm1', at: '2026-10-02T08:01:00.000Z', prompt: 'Berlin' },
    {
      id: 'm2',
      role: 'agent',
      parent: 'k2',
      at: '2026-10-02T08:01:00.400Z',
      version: 'v2',
      steps: [
        [StepType.TurnClassifier, cls('how_to', 0.5), 25],
        [StepType.Text, text('Sonnig.'), 1500],
      ],
    },
  ],
  [
    [ROOT, 'k1'],
    ['k1', 'm1'],
    ['m1', 'k2'],
    ['k2', 'm2'],
  ],
  [],
);

// Session s3 of account B: only there to be filtered out by a focus.
const s3 = model(
  { sessionId: 's3', accountId: 'B', title: 'Hi', createdAt: at('2026-10-01T12:00:00.000Z') },
  [
    { id: 'x1', role: 'human', parent: null, at: '2026-10-01T12:00:00.100Z', prompt: 'Hi' },
    {
      id: 'y1',
      role: 'agent',
      parent: 'x1',
      at: '2026-10-01T12:00:00.300Z',
      steps: [
        [StepType.TurnClassifier, cls('chitchat', 0.9), 30],
        [StepType.Text, text('Hello!'), 800],
      ],
    },
  ],
  [
    [ROOT, 'x1'],
    ['x1', 'y1'],
  ],
  [],
);

const DAYS = ['2026-10-01', '2026-10-02', '2026-10-03'];

async function pages<T>(
  fetch: (p: PageRequest) => Promise<{ items: T[]; cursor?: string }>,
  limit: number,
): Promise<T[][]> {
  const out: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch({ limit, ...(cursor ? { cursor } : {}) });
    out.push(page.items);
    cursor = page.cursor;
  } while (cursor && out.length < 100);
  return out;
}

describe('GroundTruth on hand-built sessions', () => {
  const truth = GroundTruth.build([s1, s2, s3]);

  it('P1 follows the active pointers from the active root', async () => {
    expect(await truth.activeBranch('s1')).toEqual([
      {
        turnId: 'h1',
        role: 'human',
        parentId: null,
        prompt: 'How do I export?',
        createdAt: '2026-10-01T10:00:00.100Z',
      },
      { turnId: 'g1b', role: 'agent', parentId: 'h1', prompt: '', createdAt: '2026-10-01T10:00:10.000Z' },
      { turnId: 'h2', role: 'human', parentId: 'g1b', prompt: 'It fails.', createdAt: '2026-10-01T10:00:30.000Z' },
      { turnId: 'g2', role: 'agent', parentId: 'h2', prompt: '', createdAt: '2026-10-01T10:00:31.000Z' },
    ]);
    expect(await truth.activeBranch('nope')).toEqual([]);
  });

  it('P2 lists sessions newest first with their last activity, paged', async () => {
    const s1Item = {
      sessionId: 's1',
      title: 'Export help',
      createdAt: '2026-10-01T10:00:00.000Z',
      lastActivity: '2026-10-02T00:00:00.120Z',
    };
    const s2Item = {
      sessionId: 's2',
      title: 'Wetter',
      createdAt: '2026-10-02T08:00:00.000Z',
      lastActivity: '2026-10-02T08:01:00.425Z',
    };
    expect(await truth.accountSessions('A', { limit: 10 })).toEqual({ items: [s2Item, s1Item] });
    expect(await pages((p) => truth.accountSessions('A', p), 1)).toEqual([[s2Item], [s1Item]]);
    expect(await truth.accountSessions('nobody', { limit: 10 })).toEqual({ items: [] });
  });

  it('P2 breaks created_at ties by session id, descending', async () => {
    const same = '2026-10-05T00:00:00.000Z';
    const a = model({ sessionId: 'sa', accountId: 'T', title: 'a', createdAt: at(same) }, [], [], []);
    const b = model({ sessionId: 'sb', accountId: 'T', title: 'b', createdAt: at(same) }, [], [], []);
    const items = (await GroundTruth.build([a, b]).accountSessions('T', { limit: 5 })).items.map((i) => i.sessionId);
    expect(items).toEqual(['sb', 'sa']);
  });

  it("P3 returns a turn's steps in idx order, paged", async () => {
    const all = await truth.turnSteps('g1', { limit: 10 });
    expect(all).toEqual({
      items: [
        { idx: 0, type: 'LangDetection', content: '{"language":"en","confidence":0.9}', durationMs: 10 },
        { idx: 1, type: 'TurnClassifier', content: '{"label":"question","score":0.8}', durationMs: 50 },
        { idx: 2, type: 'Text', content: '{"text":"Like this."}', durationMs: 1000 },
      ],
    });
    const paged = await pages((p) => truth.turnSteps('g1', p), 2);
    expect(paged.map((p) => p.map((s) => s.idx))).toEqual([[0, 1], [2]]);
    expect(await truth.turnSteps('h1', { limit: 5 })).toEqual({ items: [] });
    expect(await truth.turnSteps('nope', { limit: 5 })).toEqual({ items: [] });
  });

  it("P4 lists every child of the turn's parent, the turn included, oldest first", async () => {
    const regen = [
      { turnId: 'g1', role: 'agent', createdAt: '2026-10-01T10:00:01.000Z' },
      { turnId: 'g1b', role: 'agent', createdAt: '2026-10-01T10:00:10.000Z' },
    ];
    expect(await truth.siblings('g1b')).toEqual(regen);
    expect(await truth.siblings('g1')).toEqual(regen);
    expect(await truth.siblings('h0')).toEqual([
      { turnId: 'h1', role: 'human', createdAt: '2026-10-01T10:00:00.100Z' },
      { turnId: 'h0', role: 'human', createdAt: '2026-10-01T23:59:58.000Z' },
    ]);
    expect(await truth.siblings('g2')).toEqual([
      { turnId: 'g2', role: 'agent', createdAt: '2026-10-01T10:00:31.000Z' },
    ]);
    expect(await truth.siblings('nope')).toEqual([]);
  });

  it('P5 summarises a session over all its branches', async () => {
    expect(await truth.sessionSummary('s1')).toEqual({
      sessionId: 's1',
      accountId: 'A',
      title: 'Export help',
      createdAt: '2026-10-01T10:00:00.000Z',
      lastActivity: '2026-10-02T00:00:00.120Z',
      humanTurns: 3,
      agentTurns: 4,
    });
    expect(await truth.sessionSummary('nope')).toBeNull();
  });

  it('A1 counts turns per requested day and role, zeros included, in request order', async () => {
    expect(await truth.turnsPerDay('A', ['2026-10-03', ...DAYS])).toEqual([
      { day: '2026-10-03', human: 0, agent: 0 },
      { day: '2026-10-01', human: 3, agent: 4 },
      { day: '2026-10-02', human: 2, agent: 2 },
      { day: '2026-10-03', human: 0, agent: 0 },
    ]);
  });

  it('A2 counts step types of the day of their turn, in enum order', async () => {
    expect(await truth.stepTypeDistribution('A', '2026-10-01')).toEqual([
      { type: 'Think', count: 1 },
      { type: 'Text', count: 3 },
      { type: 'InputRequest', count: 1 },
      { type: 'TurnClassifier', count: 4 },
      { type: 'LangDetection', count: 1 },
    ]);
    expect(await truth.stepTypeDistribution('A', '2026-10-02')).toEqual([
      { type: 'Think', count: 1 },
      { type: 'Text', count: 1 },
      { type: 'InputRequest', count: 1 },
      { type: 'TurnClassifier', count: 2 },
      { type: 'LangDetection', count: 1 },
    ]);
    expect(await truth.stepTypeDistribution('A', '2026-10-03')).toEqual([]);
  });

  it('A3 gives nearest-rank percentiles over the requested days', async () => {
    const latency = await truth.stepLatency('A', DAYS);
    expect(latency.map((l) => l.type)).toEqual(['Think', 'Text', 'InputRequest', 'TurnClassifier', 'LangDetection']);
    expect(latency.find((l) => l.type === 'TurnClassifier')).toEqual({
      type: 'TurnClassifier',
      count: 6,
      p50: 30,
      p90: 60,
      p99: 60,
      max: 60,
    });
    expect(latency.find((l) => l.type === 'Text')).toEqual({
      type: 'Text',
      count: 4,
      p50: 1500,
      p90: 3000,
      p99: 3000,
      max: 3000,
    });
    expect(await truth.stepLatency('A', ['2026-10-02'])).toContainEqual({
      type: 'Text',
      count: 1,
      p50: 1500,
      p90: 1500,
      p99: 1500,
      max: 1500,
    });
  });

  it("A5 lists unanswered InputRequests with the step's time, by session then turn", async () => {
    expect(await truth.pendingInputs('A', DAYS)).toEqual([
      { sessionId: 's1', turnId: 'g2', question: 'Which env?', createdAt: '2026-10-01T10:00:31.030Z' },
    ]);
    expect(await truth.pendingInputs('B', DAYS)).toEqual([]);
  });

  it('A6 sums detected languages, most frequent first, then by label', async () => {
    expect(await truth.languageMix('A', DAYS)).toEqual([
      { label: 'de', count: 1 },
      { label: 'en', count: 1 },
    ]);
    expect(await truth.languageMix('A', ['2026-10-01'])).toEqual([{ label: 'en', count: 1 }]);
  });

  it('E1 finds classifier verdicts with the label and score >= x, highest first', async () => {
    expect(await truth.turnsByLabel('A', DAYS, 'bug_report', 0.7)).toEqual([
      { turnId: 'g1b', idx: 0, sessionId: 's1', day: '2026-10-01', score: 0.95 },
      { turnId: 'g2', idx: 0, sessionId: 's1', day: '2026-10-01', score: 0.7 },
    ]);
    expect(await truth.turnsByLabel('A', DAYS, 'bug_report', 0.71)).toHaveLength(1);
    expect(await truth.turnsByLabel('A', DAYS, 'question', 0)).toEqual([
      { turnId: 'g1', idx: 1, sessionId: 's1', day: '2026-10-01', score: 0.8 },
      { turnId: 'm1', idx: 1, sessionId: 's2', day: '2026-10-02', score: 0.8 },
      { turnId: 'g3', idx: 0, sessionId: 's1', day: '2026-10-01', score: 0.6 },
    ]);
  });

  it('E2 gives label fractions per requested day, labels alphabetically', async () => {
    expect(await truth.labelFractions('A', DAYS)).toEqual([
      { day: '2026-10-01', label: 'bug_report', count: 2, fraction: 0.5 },
      { day: '2026-10-01', label: 'question', count: 2, fraction: 0.5 },
      { day: '2026-10-02', label: 'how_to', count: 1, fraction: 0.5 },
      { day: '2026-10-02', label: 'question', count: 1, fraction: 0.5 },
    ]);
  });

  it('E3 counts agent turns per version and requested day', async () => {
    expect(await truth.agentTurnsByVersion('v1', DAYS)).toEqual([
      { day: '2026-10-01', count: 5 },
      { day: '2026-10-02', count: 0 },
      { day: '2026-10-03', count: 0 },
    ]);
    expect(await truth.agentTurnsByVersion('v2', ['2026-10-02'])).toEqual([{ day: '2026-10-02', count: 2 }]);
    expect(await truth.agentTurnsByVersion('v9', ['2026-10-02'])).toEqual([{ day: '2026-10-02', count: 0 }]);
  });
});

/** Every query for the given ids, so two truths can be compared answer by answer. */
async function answers(
  q: KeyQueries,
  sessions: SessionModel[],
  accounts: string[],
  days: string[],
  versions: string[],
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const m of sessions) {
    out.push(await q.activeBranch(m.session.sessionId), await q.sessionSummary(m.session.sessionId));
    for (const t of m.turns) out.push(await q.siblings(t.turnId), await pages((p) => q.turnSteps(t.turnId, p), 2));
  }
  for (const a of accounts) {
    out.push(
      await pages((p) => q.accountSessions(a, p), 3),
      await q.turnsPerDay(a, days),
      await q.stepLatency(a, days),
      await q.pendingInputs(a, days),
      await q.languageMix(a, days),
      await q.turnsByLabel(a, days, 'bug_report', 0.7),
      await q.turnsByLabel(a, days, 'question', 0.5),
      await q.labelFractions(a, days),
    );
    for (const d of days) out.push(await q.stepTypeDistribution(a, d));
  }
  for (const v of versions) out.push(await q.agentTurnsByVersion(v, days));
  return out;
}

describe('GroundTruth with a focus', () => {
  it('answers the focused ids exactly as a full build does (hand-built)', async () => {
    const full = GroundTruth.build([s1, s2, s3]);
    const focused = GroundTruth.build([s1, s2, s3], { accounts: new Set(['A']), sessions: new Set(['s1']) });
    const ask = (q: KeyQueries) => answers(q, [s1], ['A'], DAYS, ['v1', 'v2']);
    expect(await ask(focused)).toEqual(await ask(full));
    await expect(focused.sessionSummary('s2')).rejects.toThrow(/focus/);
    await expect(focused.turnsPerDay('B', DAYS)).rejects.toThrow(/focus/);
    expect(await focused.turnSteps('y1', { limit: 5 })).toEqual({ items: [] });
  });

  it('answers the focused ids exactly as a full build does (generated)', async () => {
    const config = { seed: 3, sessions: 400, accounts: 30, days: 10, endDate: '2026-11-01' };
    const models = [...generateSessions(config)];
    const picked = [models[0]!, models[77]!, models[201]!, models[399]!];
    const accounts = [...new Set([picked[0]!.session.accountId, models[5]!.session.accountId])];
    const days = Array.from({ length: 11 }, (_, i) =>
      new Date(Date.parse('2026-10-21T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10),
    );
    const versions = [...new Set(models.flatMap((m) => m.turns.map((t) => t.agentVersion ?? '')).filter(Boolean))];
    const full = GroundTruth.build(models);
    const focused = GroundTruth.build(generateSessions(config), {
      accounts: new Set(accounts),
      sessions: new Set(picked.map((m) => m.session.sessionId)),
    });
    const ask = (q: KeyQueries) => answers(q, picked, accounts, days, versions);
    const expected = await ask(full);
    expect(await ask(focused)).toEqual(expected);
    // And the answers are not trivially empty.
    const sessionsOfFirst = models.filter((m) => m.session.accountId === accounts[0]).length;
    expect((await full.accountSessions(accounts[0]!, { limit: 1000 })).items).toHaveLength(sessionsOfFirst);
    expect((await full.turnsPerDay(accounts[0]!, days)).reduce((n, d) => n + d.human + d.agent, 0)).toBe(
      models.filter((m) => m.session.accountId === accounts[0]).reduce((n, m) => n + m.turns.length, 0),
    );
    expect((await full.pendingInputs(accounts[0]!, days)).length).toBe(
      models.filter((m) => m.session.accountId === accounts[0]).reduce((n, m) => n + m.pending.size, 0),
    );
  });
});
