// The analytics ground truth checked against answers worked out by hand: AnalyticsTruth shares bucketOf,
// percentilesOf and VersionTally with the stores it judges, so only literals can catch a bug in those.
import { describe, expect, it } from 'vitest';
import { AnalyticsTruth } from '../../src/analytics/ground-truth.ts';
import { StepType } from '../../src/domain/step-types.ts';
import { ROOT } from '../../src/store/writes.ts';
import { at, cls, model, text } from '../support/session-model.ts';

const DAY = '2026-10-01';
const ask = { question: 'Which city?', inputType: 'text' };

const truth = new AnalyticsTruth([
  // Account A, v1: two turns, one of them asking for input.
  model(
    { sessionId: 's1', accountId: 'A', title: 'Trip', createdAt: at(`${DAY}T09:00:00.000Z`) },
    [
      { id: 'h1', role: 'human', parent: null, at: `${DAY}T09:00:00.000Z` },
      {
        id: 'g1',
        role: 'agent',
        parent: 'h1',
        at: `${DAY}T09:00:01.000Z`,
        firstStepAfterMs: 120,
        steps: [
          [StepType.LangDetection, { language: 'en', confidence: 0.9 }, 10],
          [StepType.TurnClassifier, cls('question', 0.8), 50],
          [StepType.Text, text('Day 1.'), 1000],
        ],
      },
      { id: 'h2', role: 'human', parent: 'g1', at: `${DAY}T09:01:00.000Z` },
      {
        id: 'g2',
        role: 'agent',
        parent: 'h2',
        at: `${DAY}T09:01:01.000Z`,
        firstStepAfterMs: 30,
        steps: [
          [StepType.InputRequest, ask, 200],
          [StepType.TurnClassifier, cls('question', 0.29), 40],
        ],
      },
      // The next day: outside every query below.
      { id: 'h3', role: 'human', parent: 'g2', at: '2026-10-02T09:00:00.000Z' },
      {
        id: 'g3',
        role: 'agent',
        parent: 'h3',
        at: '2026-10-02T09:00:01.000Z',
        firstStepAfterMs: 9999,
        steps: [[StepType.TurnClassifier, cls('question', 0.5), 5000]],
      },
    ],
    [
      [ROOT, 'h1'],
      ['h1', 'g1'],
      ['g1', 'h2'],
      ['h2', 'g2'],
      ['g2', 'h3'],
      ['h3', 'g3'],
    ],
    [],
  ),
  // Account A, v2.
  model(
    { sessionId: 's2', accountId: 'A', title: 'Code', createdAt: at(`${DAY}T12:00:00.000Z`) },
    [
      { id: 'k1', role: 'human', parent: null, at: `${DAY}T12:00:00.000Z` },
      {
        id: 'm1',
        role: 'agent',
        parent: 'k1',
        at: `${DAY}T12:00:00.500Z`,
        version: 'v2',
        firstStepAfterMs: 700,
        steps: [
          [StepType.Think, text('Hmm.'), 300],
          [StepType.TurnClassifier, cls('complaint', 1), 60],
          [StepType.Code, { language: 'ts', code: 'x' }, 500],
        ],
      },
    ],
    [
      [ROOT, 'k1'],
      ['k1', 'm1'],
    ],
    [],
  ),
  // Account B, v2.
  model(
    { sessionId: 's3', accountId: 'B', title: 'Other', createdAt: at(`${DAY}T15:00:00.000Z`) },
    [
      { id: 'q1', role: 'human', parent: null, at: `${DAY}T15:00:00.000Z` },
      {
        id: 'r1',
        role: 'agent',
        parent: 'q1',
        at: `${DAY}T15:00:01.000Z`,
        version: 'v2',
        steps: [[StepType.TurnClassifier, cls('question', 0.05), 30]],
      },
    ],
    [
      [ROOT, 'q1'],
      ['q1', 'r1'],
    ],
    [],
  ),
]);

describe('AnalyticsTruth, against hand-computed answers', () => {
  it('score histogram: A\'s "question" verdicts 0.8 and 0.29 on the day, in tenths and in hundredths', async () => {
    const tenths = await truth.scoreHistogram('A', [DAY], 'question', 10);
    expect(tenths.map((b) => b.count)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    expect(tenths[2]).toEqual({ lo: 0.2, hi: 0.3, count: 1 });
    const hundredths = await truth.scoreHistogram('A', [DAY], 'question', 100);
    // 0.29 * 100 is 28.999999999999996 in doubles: bucket 28, not 29.
    expect(hundredths.flatMap((b, i) => (b.count ? [i] : []))).toEqual([28, 80]);
    // A score of exactly 1 falls in the last bucket.
    expect((await truth.scoreHistogram('A', [DAY], 'complaint', 4)).map((b) => b.count)).toEqual([0, 0, 0, 1]);
  });

  it('version regression: every figure of v1 and v2 on the day, and zeros for a version without turns', async () => {
    expect(await truth.versionRegression(['v1', 'v2', 'v9'], [DAY])).toEqual([
      {
        agentVersion: 'v1',
        turns: 2,
        steps: 5, // 10, 50, 1000 | 200, 40
        meanStepMs: 260, // 1300 / 5
        stepMs: { count: 5, p50: 50, p90: 1000, p99: 1000, max: 1000 }, // sorted 10 40 50 200 1000; ranks 3, 5, 5
        inputRequestRate: 0.5, // g2 of g1, g2
        labels: [{ label: 'question', count: 2, fraction: 1 }],
      },
      {
        agentVersion: 'v2',
        turns: 2,
        steps: 4, // 300, 60, 500 | 30
        meanStepMs: 222.5, // 890 / 4
        stepMs: { count: 4, p50: 60, p90: 500, p99: 500, max: 500 }, // sorted 30 60 300 500; ranks 2, 4, 4
        inputRequestRate: 0,
        labels: [
          { label: 'complaint', count: 1, fraction: 0.5 },
          { label: 'question', count: 1, fraction: 0.5 },
        ],
      },
      {
        agentVersion: 'v9',
        turns: 0,
        steps: 0,
        meanStepMs: 0,
        stepMs: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 },
        inputRequestRate: 0,
        labels: [],
      },
    ]);
  });

  it("time to first step: of any type, and of one type, over A's turns on the day", async () => {
    // g1 120, g2 30, m1 700 -> sorted 30 120 700.
    expect(await truth.timeToFirstStep('A', [DAY], null)).toEqual({ count: 3, p50: 120, p90: 700, p99: 700, max: 700 });
    // The first TurnClassifier: g1 120 + 10, g2 30 + 200, m1 700 + 300 -> 130 230 1000.
    expect(await truth.timeToFirstStep('A', [DAY], 'TurnClassifier')).toEqual({
      count: 3,
      p50: 230,
      p90: 1000,
      p99: 1000,
      max: 1000,
    });
    // Only g2 asks; B has no Code step at all.
    expect(await truth.timeToFirstStep('A', [DAY], 'InputRequest')).toEqual({
      count: 1,
      p50: 30,
      p90: 30,
      p99: 30,
      max: 30,
    });
    expect(await truth.timeToFirstStep('B', [DAY], 'Code')).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });
});
