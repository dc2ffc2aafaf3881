import { describe, expect, it } from 'vitest';
import { RedisQueries } from '../../src/readmodels/queries.ts';
import type { SeedConfig } from '../../src/seed/generator.ts';
import { seed } from '../../src/seed/seeder.ts';
import { verify } from '../../src/verify/verify.ts';
import { AgentStore } from '../../src/store/store.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import { waitCaughtUp } from '../support/readside.ts';
import { useStandinStack } from '../support/standin-stack.ts';

// The CDC stand-in end to end: seeded writes -> stand-in feed -> projector -> Redis -> the verifier's ground truth.
const dataset: SeedConfig = { seed: 7, sessions: 150, accounts: 12, days: 10, endDate: '2026-10-15' };
const s = useStandinStack('standin');
const { rs, ks } = s;

describe('CDC stand-in -> projector -> Redis read models', () => {
  it('seeds through the stand-in, projects, and every key query matches the ground truth', async () => {
    const standin = await s.openStandin();
    try {
      await seed(standin, ks, dataset, { concurrency: 32 });
    } finally {
      await standin.close();
    }
    expect(standin.published).toBeGreaterThan(dataset.sessions * 10);
    await s.startProjector();
    await waitCaughtUp(rs, s.redis);
    const report = await verify(new RedisQueries(s.redis, rs.keyPrefix), dataset, { samples: 20, accountSamples: 4 });
    const failures = report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`);
    expect(failures).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('live store commands through the stand-in (LWT claims, batches, answered and regenerated questions, a rewrite, branch switch) project to the same answers as the CQL store', async () => {
    const standin = await s.openStandin();
    const store = new AgentStore(standin, ks);
    const at = (m: number) => new Date(Date.UTC(2026, 9, 20, 10, m));
    try {
      await store.createSession({ sessionId: 'ses_live', accountId: 'acct_live', title: 'Live session', at: at(0) });
      await store.appendTurn({
        sessionId: 'ses_live',
        turnId: 'trn_h1',
        role: 'human',
        parentId: null,
        prompt: 'Deploy it?',
        at: at(1),
      });
      await store.appendTurn({
        sessionId: 'ses_live',
        turnId: 'trn_a1',
        role: 'agent',
        parentId: 'trn_h1',
        agentVersion: 'v1',
        at: at(2),
      });
      await store.addSteps({
        turnId: 'trn_a1',
        steps: [
          { idx: 0, type: 'TurnClassifier', content: { label: 'question', score: 0.8 }, durationMs: 30, at: at(2) },
          {
            idx: 1,
            type: 'InputRequest',
            content: { question: 'Which env?', inputType: 'text' },
            durationMs: 5,
            at: at(3),
          },
        ],
      });
      await store.regenerate({ turnId: 'trn_a1', newTurnId: 'trn_a2', agentVersion: 'v2', at: at(4) });
      await store.addSteps({
        turnId: 'trn_a2',
        steps: [
          {
            idx: 0,
            type: 'InputRequest',
            content: { question: 'Staging?', inputType: 'confirm' },
            durationMs: 7,
            at: at(5),
          },
        ],
      });
      await store.appendTurn({
        sessionId: 'ses_live',
        turnId: 'trn_h2',
        role: 'human',
        parentId: 'trn_a2',
        prompt: 'Yes, staging.',
        at: at(6),
      });
      await store.appendTurn({
        sessionId: 'ses_live',
        turnId: 'trn_a3',
        role: 'agent',
        parentId: 'trn_h2',
        agentVersion: 'v2',
        at: at(7),
      });
      await store.addSteps({
        turnId: 'trn_a3',
        steps: [
          {
            idx: 0,
            type: 'InputRequest',
            content: { question: 'Which region?', inputType: 'text' },
            durationMs: 6,
            at: at(7),
          },
        ],
      });
      // A re-run classifier rewrites trn_a1's verdict: it counts once, with its new label.
      await store.addSteps({
        turnId: 'trn_a1',
        steps: [
          { idx: 0, type: 'TurnClassifier', content: { label: 'bug_report', score: 0.9 }, durationMs: 31, at: at(8) },
        ],
      });
      await store.switchBranch({ sessionId: 'ses_live', parentId: 'trn_h1', childId: 'trn_a1' });
      await store.createSession({ sessionId: 'ses_live', accountId: 'acct_live', title: 'Live session', at: at(9) }); // a retry: the LWT does not apply
    } finally {
      await standin.close();
    }
    await waitCaughtUp(rs, s.redis);
    const cql = new CqlQueries(s.c.exec, ks);
    const redisQ = new RedisQueries(s.redis, rs.keyPrefix, 0);
    const days = ['2026-10-20'];
    const ask = (q: CqlQueries | RedisQueries) =>
      Promise.all([
        q.activeBranch('ses_live'),
        q.sessionSummary('ses_live'),
        q.siblings('trn_a1'),
        q.turnSteps('trn_a1', { limit: 10 }),
        q.accountSessions('acct_live', { limit: 10 }),
        q.pendingInputs('acct_live', days),
        q.turnsPerDay('acct_live', days),
        q.stepLatency('acct_live', days),
        q.labelFractions('acct_live', days),
        q.agentTurnsByVersion('v2', days),
      ]);
    const expected = await ask(cql);
    // trn_a1's question was regenerated away, trn_a2's answered: only trn_a3's is open.
    expect(expected[5]).toEqual([
      { sessionId: 'ses_live', turnId: 'trn_a3', question: 'Which region?', createdAt: at(7).toISOString() },
    ]);
    expect(expected[8]).toEqual([{ day: '2026-10-20', label: 'bug_report', count: 1, fraction: 1 }]);
    expect(await ask(redisQ)).toEqual(expected);
  });
});
