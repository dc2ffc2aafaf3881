import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisAnalytics } from '../../src/analytics/redis.ts';
import { bucketOf, emptyBuckets, percentilesOf, versionStats } from '../../src/analytics/types.ts';
import type { ChangeEvent } from '../../src/cdc/envelope.ts';
import { LOCAL } from '../../src/config/local-services.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { StepType } from '../../src/domain/step-types.ts';
import { applyEffect, loadScript } from '../../src/readmodels/apply.ts';
import type { Redis } from '../../src/clients/redis.ts';
import { effectOf } from '../../src/readmodels/effects.ts';
import { prefixOf } from '../../src/readmodels/generation.ts';
import { Keys } from '../../src/readmodels/keys.ts';

// The analytics read models on a real Redis, event by event through the guard script: exact
// float bucketing, and inserts, out-of-order arrivals, updates and deletes leaving exact answers.
const base = `t_arm_${randomBytes(3).toString('hex')}`;
const k = new Keys(prefixOf(base, 'g1'));
const DAY = '2026-10-20';
const T0 = Date.parse(`${DAY}T10:00:00Z`);
let redis: Redis;
let q: RedisAnalytics;
let ts = 1_000;

type Row = Record<string, unknown>;
const apply = (table: ChangeEvent['table'], key: Row, before: Row | null, after: Row | null) =>
  applyEffect(
    redis,
    k,
    String(ts++),
    effectOf(k, { table, op: !before ? 'c' : after ? 'u' : 'd', tsUs: '', tsMs: 0, key, before, after }),
  );

const turnRow = (turnId: string, version: string, at: number): Row => ({
  session_id: 'ses_e',
  parent_id: 'trn_h',
  created_at: at,
  turn_id: turnId,
  account_id: 'acct_e',
  role: 'agent',
  prompt: null,
  agent_version: version,
});
const turnKey = (r: Row): Row => ({
  session_id: r['session_id'],
  parent_id: r['parent_id'],
  created_at: r['created_at'],
  turn_id: r['turn_id'],
});
const stepRow = (
  turnId: string,
  turnAt: number,
  idx: number,
  type: StepType,
  content: unknown,
  offsetMs: number,
  durationMs: number,
): Row => ({
  turn_id: turnId,
  idx,
  session_id: 'ses_e',
  account_id: 'acct_e',
  step_type: type,
  content: JSON.stringify(content),
  created_at: turnAt + offsetMs,
  duration_ms: durationMs,
  turn_created_at: turnAt,
});
const stepKey = (r: Row): Row => ({ turn_id: r['turn_id'], idx: r['idx'] });
const classifier = (score: number) => ({ label: 'edge', score });

beforeAll(async () => {
  redis = createClient({ url: LOCAL.redis });
  await redis.connect();
  await loadScript(redis);
  q = new RedisAnalytics(redis, base, 0);
});
afterAll(async () => {
  for await (const keys of redis.scanIterator({ MATCH: `${base}:*`, COUNT: 1000 }))
    if (keys.length) await redis.unlink(keys as unknown as string[]);
  await redis.quit();
});

describe('analytics read models, event by event', () => {
  it('score histograms count exactly what bucketOf() buckets, scores on bucket edges included', async () => {
    const scores = [0, 0.1, 0.2, 0.1 + 0.2, 0.29, 0.3, 0.57, 0.58, 0.7, 0.99999, 1];
    const at = T0 - 3_600_000;
    for (const [i, s] of scores.entries())
      await apply(
        'steps_by_turn',
        { turn_id: `trn_s${i}`, idx: 0 },
        null,
        stepRow(`trn_s${i}`, at, 0, StepType.TurnClassifier, classifier(s), 5, 10),
      );
    for (let buckets = 1; buckets <= 100; buckets++) {
      const expected = emptyBuckets(buckets);
      for (const s of scores) expected[bucketOf(s, buckets)]!.count++;
      expect(await q.scoreHistogram('acct_e', [DAY], 'edge', buckets), `${buckets} buckets`).toEqual(expected);
    }
    for (const [i, s] of scores.entries()) {
      const row = stepRow(`trn_s${i}`, at, 0, StepType.TurnClassifier, classifier(s), 5, 10);
      await apply('steps_by_turn', stepKey(row), row, null);
    }
    expect((await q.scoreHistogram('acct_e', [DAY], 'edge', 3)).map((b) => b.count)).toEqual([0, 0, 0]);
  });

  it('time to first step and version regression stay exact through out-of-order arrival, updates and deletes', async () => {
    const a = turnRow('trn_a', 'v1', T0);
    const b = turnRow('trn_b', 'v2', T0 + 60_000);
    const aSteps = [
      stepRow('trn_a', T0, 0, StepType.TurnClassifier, { label: 'bug_report', score: 0.9 }, 10, 30),
      stepRow('trn_a', T0, 1, StepType.Text, { text: 'hi' }, 40, 500),
      stepRow('trn_a', T0, 2, StepType.InputRequest, { question: 'which?', inputType: 'text' }, 540, 5),
    ];
    const bSteps = [
      stepRow('trn_b', T0 + 60_000, 0, StepType.Text, { text: 'a' }, 0, 200),
      stepRow('trn_b', T0 + 60_000, 1, StepType.Text, { text: 'b' }, 300, 100),
    ];
    // trn_b's steps before trn_b itself: the topics are not ordered against each other.
    for (const s of [...aSteps, ...bSteps]) await apply('steps_by_turn', stepKey(s), null, s);
    expect((await q.versionRegression(['v2'], [DAY]))[0]).toMatchObject({ turns: 0, steps: 0 });
    await apply('turns_by_session', turnKey(a), null, a);
    await apply('turns_by_session', turnKey(b), null, b);

    const pct = percentilesOf;
    expect(await q.timeToFirstStep('acct_e', [DAY], null)).toEqual(pct([0, 10]));
    expect(await q.timeToFirstStep('acct_e', [DAY], 'Text')).toEqual(pct([0, 40]));
    expect(await q.versionRegression(['v1', 'v2', 'v3'], [DAY])).toEqual([
      versionStats('v1', 1, [5, 30, 500], 535, 1, new Map([['bug_report', 1]])),
      versionStats('v2', 1, [100, 200], 300, 0, new Map()),
      versionStats('v3', 0, [], 0, 0, new Map()),
    ]);

    // trn_a's Text step becomes Code (later, slower); trn_b's first Text step is deleted, so its second one is now first.
    const code = stepRow('trn_a', T0, 1, StepType.Code, { language: 'ts', code: 'x' }, 45, 700);
    await apply('steps_by_turn', stepKey(code), aSteps[1]!, code);
    await apply('steps_by_turn', stepKey(bSteps[0]!), bSteps[0]!, null);
    expect(await q.timeToFirstStep('acct_e', [DAY], 'Text')).toEqual(pct([300]));
    expect(await q.timeToFirstStep('acct_e', [DAY], 'Code')).toEqual(pct([45]));
    expect(await q.timeToFirstStep('acct_e', [DAY], null)).toEqual(pct([10, 300]));
    expect(await q.versionRegression(['v1', 'v2'], [DAY])).toEqual([
      versionStats('v1', 1, [5, 30, 700], 735, 1, new Map([['bug_report', 1]])),
      versionStats('v2', 1, [100], 100, 0, new Map()),
    ]);

    // Delete everything: nothing may remain but the guards' fences and the daily-active HyperLogLog (which cannot shrink).
    for (const s of [aSteps[0]!, code, aSteps[2]!, bSteps[1]!]) await apply('steps_by_turn', stepKey(s), s, null);
    for (const t of [a, b]) await apply('turns_by_session', turnKey(t), t, null);
    const left: string[] = [];
    for await (const keys of redis.scanIterator({ MATCH: `${base}:*`, COUNT: 1000 }))
      left.push(...(keys as unknown as string[]));
    expect(left.filter((key) => !key.startsWith(`${k.prefix}:g:`) && !key.startsWith(`${k.prefix}:dau:`))).toEqual([]);
    expect(await q.timeToFirstStep('acct_e', [DAY], null)).toEqual(pct([]));
    expect((await q.versionRegression(['v1'], [DAY]))[0]).toMatchObject({ turns: 0, steps: 0, labels: [] });
  });

  it('rejects bad arguments with the same errors as the other stores', async () => {
    const bad: [Promise<unknown>, string][] = [
      [q.scoreHistogram('acct_e', [DAY], 'edge', 0), 'buckets'],
      [q.scoreHistogram('acct_e', [DAY], 'edge', 2.5), 'buckets'],
      [q.scoreHistogram('acct_e', [DAY], 'edge', 101), 'buckets'],
      [q.scoreHistogram('acct_e', [], 'edge', 5), 'days'],
      [q.timeToFirstStep('acct_e', ['2026-10-20T00:00'], null), 'days'],
      [q.timeToFirstStep('acct_e', [DAY], 'Nope' as never), 'type'],
      [q.versionRegression([], [DAY]), 'versions'],
      [q.versionRegression([''], [DAY]), 'versions'],
      [q.versionRegression(['v1'], ['yesterday']), 'days'],
    ];
    for (const [p, field] of bad) {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, field).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field, field).toBe(field);
    }
  });
});
