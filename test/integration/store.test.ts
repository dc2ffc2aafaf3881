import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import { measurePartitions } from '../../src/store/partitions.ts';
import { AgentStore } from '../../src/store/store.ts';
import { connectTestCql, countAll, dropKeyspace, testKeyspace } from '../support/cql.ts';

let c: Connected;
let store: AgentStore;
let q: CqlQueries;
const k = testKeyspace('store');
let t = Date.parse('2026-10-05T08:00:00Z');
/** Each call is one minute later, so every write has a distinct, known time. */
const clock = { now: () => new Date((t += 60_000)) };

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({ exec: c.exec, keyspace: k, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
  store = new AgentStore(c.exec, k, clock);
  q = new CqlQueries(c.exec, k);
});
afterAll(async () => {
  await dropKeyspace(c, k);
  await c.exec.close();
});

const text = (s: string) => ({ type: 'Text', content: { text: s }, durationMs: 800 });

describe('the store on the real CQL server', () => {
  it('builds a branching conversation and serves the product queries', async () => {
    await store.createSession({ sessionId: 's1', accountId: 'a1', title: 'Paris trip' });
    await store.appendTurn({
      sessionId: 's1',
      turnId: 'h1',
      role: 'human',
      parentId: null,
      prompt: 'Plan 3 days in Paris',
    });
    await store.appendTurn({ sessionId: 's1', turnId: 'g1', role: 'agent', parentId: 'h1', agentVersion: 'v1' });
    await store.addSteps({
      turnId: 'g1',
      steps: [
        { idx: 0, type: 'LangDetection', content: { language: 'en', confidence: 0.99 }, durationMs: 9 },
        { idx: 1, type: 'TurnClassifier', content: { label: 'how_to', score: 0.82 }, durationMs: 35 },
        { idx: 2, type: 'Think', content: { text: 'museums first' }, durationMs: 1200 },
        { idx: 3, ...text('Day 1: the Louvre...') },
      ],
    });
    await store.regenerate({ turnId: 'g1', newTurnId: 'g2', agentVersion: 'v2' });
    expect((await q.activeBranch('s1')).map((b) => b.turnId)).toEqual(['h1', 'g2']);

    await store.switchBranch({ sessionId: 's1', parentId: 'h1', childId: 'g1' });
    await store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'g1', prompt: 'Cheaper hotels?' });
    const branch = await q.activeBranch('s1');
    expect(branch.map((b) => [b.turnId, b.role, b.parentId])).toEqual([
      ['h1', 'human', null],
      ['g1', 'agent', 'h1'],
      ['h2', 'human', 'g1'],
    ]);
    expect(branch[2]!.prompt).toBe('Cheaper hotels?');

    expect((await q.siblings('g2')).map((s) => s.turnId)).toEqual(['g1', 'g2']);
    const page1 = await q.turnSteps('g1', { limit: 3 });
    expect(page1.items.map((s) => s.type)).toEqual(['LangDetection', 'TurnClassifier', 'Think']);
    const page2 = await q.turnSteps('g1', { limit: 3, cursor: page1.cursor! });
    expect(page2).toEqual({
      items: [{ idx: 3, type: 'Text', content: '{"text":"Day 1: the Louvre..."}', durationMs: 800 }],
    });
  });

  it('tracks a pending InputRequest until a human answers it', async () => {
    await store.addSteps({
      turnId: 'g2',
      steps: [{ idx: 0, type: 'InputRequest', content: { question: 'Budget?', inputType: 'text' }, durationMs: 4 }],
    });
    expect((await q.pendingInputs('a1', ['2026-10-05'])).map((p) => p.turnId)).toEqual(['g2']);
    await store.appendTurn({ sessionId: 's1', turnId: 'h3', role: 'human', parentId: 'g2', prompt: '100 EUR a night' });
    expect(await q.pendingInputs('a1', ['2026-10-05'])).toEqual([]);
  });

  it('serves the summary, the session list and the analytics', async () => {
    const summary = await q.sessionSummary('s1');
    expect(summary).toMatchObject({ accountId: 'a1', title: 'Paris trip', humanTurns: 3, agentTurns: 2 });
    expect(summary!.lastActivity).toBe(new Date(t).toISOString());
    expect((await q.accountSessions('a1', { limit: 10 })).items.map((s) => s.sessionId)).toEqual(['s1']);
    expect(await q.turnsPerDay('a1', ['2026-10-05', '2026-10-06'])).toEqual([
      { day: '2026-10-05', human: 3, agent: 2 },
      { day: '2026-10-06', human: 0, agent: 0 },
    ]);
    expect(await q.stepTypeDistribution('a1', '2026-10-05')).toEqual([
      { type: 'Think', count: 1 },
      { type: 'Text', count: 1 },
      { type: 'InputRequest', count: 1 },
      { type: 'TurnClassifier', count: 1 },
      { type: 'LangDetection', count: 1 },
    ]);
    expect(await q.languageMix('a1', ['2026-10-05'])).toEqual([{ label: 'en', count: 1 }]);
    expect((await q.turnsByLabel('a1', ['2026-10-05'], 'how_to', 0.8)).map((l) => l.turnId)).toEqual(['g1']);
    expect(await q.turnsByLabel('a1', ['2026-10-05'], 'how_to', 0.9)).toEqual([]);
    expect(await q.labelFractions('a1', ['2026-10-05'])).toEqual([
      { day: '2026-10-05', label: 'how_to', count: 1, fraction: 1 },
    ]);
    expect(await q.agentTurnsByVersion('v2', ['2026-10-05'])).toEqual([{ day: '2026-10-05', count: 1 }]);
  });

  it('P2 lists every month back to the first, and a page that ends a month ends with no cursor', async () => {
    // Three months, the oldest far more than 24 months back; pages of 2 end exactly at month ends.
    const at = ['2023-02-10T09:00:00Z', '2026-08-03T09:00:00Z', '2026-08-20T09:00:00Z', '2026-09-01T00:00:00Z'];
    for (const [i, when] of at.entries())
      await store.createSession({ sessionId: `p2s${i}`, accountId: 'p2a', title: `t${i}`, at: new Date(when) });
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 10; n++) {
      const page = await q.accountSessions('p2a', { limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((s) => s.sessionId));
      cursor = page.cursor;
      if (!cursor) break;
    }
    expect(pages).toEqual([
      ['p2s3', 'p2s2'],
      ['p2s1', 'p2s0'],
    ]);
    // An account whose only session is in its first month, years back.
    await store.createSession({
      sessionId: 'p2old',
      accountId: 'p2b',
      title: 'old',
      at: new Date('2021-05-05T00:00:00Z'),
    });
    expect(await q.accountSessions('p2b', { limit: 5 })).toEqual({
      items: [
        {
          sessionId: 'p2old',
          title: 'old',
          createdAt: '2021-05-05T00:00:00.000Z',
          lastActivity: '2021-05-05T00:00:00.000Z',
        },
      ],
    });
  });

  it('retried calls do not duplicate anything', async () => {
    const before = await countAll(c, k);
    await store.createSession({ sessionId: 's1', accountId: 'a1', title: 'Paris trip' });
    await store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'g1', prompt: 'Cheaper hotels?' });
    await store.addSteps({ turnId: 'g1', steps: [{ idx: 3, ...text('Day 1: the Louvre...') }] });
    await store.regenerate({ turnId: 'g1', newTurnId: 'g2', agentVersion: 'v2' });
    expect(await countAll(c, k)).toEqual(before);
  });

  it('bad input is refused with the field named and leaves every table unchanged', async () => {
    const before = await countAll(c, k);
    const bad: [() => Promise<unknown>, string][] = [
      [
        () => store.appendTurn({ sessionId: 's1', turnId: 'h9', role: 'human', parentId: 'h1', prompt: 'x' }),
        'parentId',
      ],
      [() => store.appendTurn({ sessionId: 's1', turnId: 'g9', role: 'agent', parentId: 'nope' }), 'parentId'],
      [
        () => store.appendTurn({ sessionId: 'nope', turnId: 'h9', role: 'human', parentId: null, prompt: 'x' }),
        'sessionId',
      ],
      [() => store.createSession({ sessionId: 's1', accountId: 'a2', title: 'steal' }), 'sessionId'],
      [
        () => store.addSteps({ turnId: 'g1', steps: [{ idx: 7, type: 'Chart', content: {}, durationMs: 1 }] }),
        'steps[0].type',
      ],
      [
        () => store.addSteps({ turnId: 'g1', steps: [{ idx: 7, type: 'Code', content: '{not json', durationMs: 1 }] }),
        'steps[0].content',
      ],
      [() => store.addSteps({ turnId: 'g1', steps: [{ idx: 7, ...text('x'.repeat(70_000)) }] }), 'steps[0].content'],
      [() => store.addSteps({ turnId: 'h1', steps: [{ idx: 0, ...text('x') }] }), 'turnId'],
    ];
    for (const [call, field] of bad) {
      const err = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
    expect(await countAll(c, k)).toEqual(before);
  });
  it('measures each table: rows as count(*) sees them, partitions by key, payload bytes per row', async () => {
    const figures = await measurePartitions(c.exec, k);
    const counts = await countAll(c, k);
    expect(Object.fromEntries(figures.map((t) => [t.table, t.rows]))).toEqual(counts);
    const sessions = figures.find((t) => t.table === 'sessions')!;
    expect(sessions.partitions).toBe(sessions.rows);
    // s1: 's1' + 'a1' + 'Paris trip' as UTF-8, created_at and last_activity 8 bytes each.
    expect(sessions.mostBytes!.bytes).toBeGreaterThanOrEqual(2 + 2 + 10 + 8 + 8);
    const turns = figures.find((t) => t.table === 'turns_by_session')!;
    const withTurns = await c.exec.execute(`SELECT DISTINCT session_id FROM ${k}.turns_by_session`);
    expect(turns.partitions).toBe(withTurns.rows.length);
    expect(turns.mostRows!.rows).toBeGreaterThan(1);
  });
});
