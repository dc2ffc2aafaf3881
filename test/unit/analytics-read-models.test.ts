import { describe, expect, it } from 'vitest';
import { bucketLowerBounds, bucketOf } from '../../src/analytics/types.ts';
import type { ChangeEvent } from '../../src/cdc/envelope.ts';
import { StepType } from '../../src/domain/step-types.ts';
import { effectOf } from '../../src/readmodels/effects.ts';
import { Keys } from '../../src/readmodels/keys.ts';
import { inverse, opId, type Op } from '../../src/readmodels/ops.ts';

const k = new Keys('p:g1');
const TURN_AT = Date.UTC(2026, 9, 1, 23, 59, 59, 900);

const step = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  turn_id: 'trn_a',
  idx: 2,
  session_id: 'ses_a',
  account_id: 'acct_a',
  step_type: StepType.TurnClassifier,
  content: '{"label":"bug_report","score":0.29}',
  created_at: TURN_AT + 250,
  duration_ms: 120,
  turn_created_at: TURN_AT,
  ...over,
});
const event = (
  op: ChangeEvent['op'],
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): ChangeEvent => ({
  table: 'steps_by_turn',
  op,
  tsUs: '1',
  tsMs: 0,
  key: { turn_id: 'trn_a', idx: 2 },
  before,
  after,
});
const analytics = (ops: Op[]) => ops.filter((o) => o.key.includes(':sm:') || o.key.includes(':off:'));

function adjacent(x: number, by: 1n | -1n): number {
  const f = new Float64Array([x]);
  new BigInt64Array(f.buffer)[0]! += by;
  return f[0]!;
}

describe('score histogram bounds for range counts (ZCOUNT)', () => {
  it('each bound is the exact first double of its bucket, for every bucket count', () => {
    for (let buckets = 1; buckets <= 100; buckets++) {
      const lows = bucketLowerBounds(buckets);
      expect(lows).toHaveLength(buckets);
      for (let i = 1; i < buckets; i++) {
        expect(bucketOf(lows[i]!, buckets), `${buckets} buckets, bound ${i}`).toBe(i);
        expect(bucketOf(adjacent(lows[i]!, -1n), buckets), `${buckets} buckets, below bound ${i}`).toBe(i - 1);
      }
    }
  });

  it('moves off i / buckets where the rounded product disagrees (0.29 * 100 < 29)', () => {
    expect(bucketOf(0.29, 100)).toBe(28);
    expect(bucketLowerBounds(100)[29]).toBeGreaterThan(0.29);
    expect(bucketLowerBounds(100)[29]).toBe(adjacent(0.29, 1n));
  });
});

describe('analytics effects of a step (time to first step, version regression)', () => {
  it('an insert adds the step offset (bucketed by the turn day) and the compact step metrics', () => {
    expect(analytics(effectOf(k, event('c', null, step())).ops)).toEqual([
      { op: 'ZADD', key: k.stepOffsets('acct_a', '2026-10-01', StepType.TurnClassifier), a: '250', b: 'trn_a\x1f2' },
      { op: 'HSET', key: k.stepMetrics('trn_a'), a: '2', b: '[11,120,"bug_report"]' },
    ]);
    const text = effectOf(k, event('c', null, step({ step_type: StepType.Text, content: '{"text":"hi"}' }))).ops;
    expect(text).toContainEqual({ op: 'HSET', key: k.stepMetrics('trn_a'), a: '2', b: '[1,120,null]' });
  });

  it('an update overwrites in place when only values change, and moves entries when the type changes', () => {
    const retimed = analytics(
      effectOf(k, event('u', step(), step({ created_at: TURN_AT + 900, duration_ms: 80 }))).ops,
    );
    expect(retimed).toEqual([
      { op: 'ZADD', key: k.stepOffsets('acct_a', '2026-10-01', StepType.TurnClassifier), a: '900', b: 'trn_a\x1f2' },
      { op: 'HSET', key: k.stepMetrics('trn_a'), a: '2', b: '[11,80,"bug_report"]' },
    ]);
    const retyped = analytics(
      effectOf(
        k,
        event('u', step(), step({ step_type: StepType.InputRequest, content: '{"question":"?","inputType":"text"}' })),
      ).ops,
    );
    expect(retyped).toEqual([
      { op: 'ZREM', key: k.stepOffsets('acct_a', '2026-10-01', StepType.TurnClassifier), a: 'trn_a\x1f2' },
      { op: 'ZADD', key: k.stepOffsets('acct_a', '2026-10-01', StepType.InputRequest), a: '250', b: 'trn_a\x1f2' },
      { op: 'HSET', key: k.stepMetrics('trn_a'), a: '2', b: '[10,120,null]' },
    ]);
  });

  it('a delete undoes every entry the insert made, the new ones included', () => {
    const inserted = effectOf(k, event('c', null, step())).ops;
    const deleted = effectOf(k, event('d', step(), null)).ops;
    expect(deleted.map(opId).sort()).toEqual(
      inserted
        .map(inverse)
        .filter((o): o is Op => o !== null)
        .map(opId)
        .sort(),
    );
    expect(analytics(deleted)).toHaveLength(2);
  });
});
