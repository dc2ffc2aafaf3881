import { describe, expect, it } from 'vitest';
import { decode, DecodeError, type ChangeEvent } from '../../src/cdc/envelope.ts';
import { effectOf } from '../../src/readmodels/effects.ts';
import { Keys } from '../../src/readmodels/keys.ts';
import { transition } from '../../src/readmodels/ops.ts';
import { rawValue } from '../support/fixtures.ts';

const cfg = { topicPrefix: 'fx', keyspace: 'app' };
const topic = (t: string) => `fx.app.${t}`;
const change = (table: string, name: string): ChangeEvent => {
  const d = decode(topic(table), rawValue(name), cfg);
  if (d.kind !== 'change') throw new Error(`expected a change, got ${d.kind}`);
  return d.event;
};
const k = new Keys('p:g1');

describe('decoding connector messages', () => {
  it('keeps integers beyond 2^53 exact and uses source.ts_us as the change time', () => {
    const e = change('sessions', '11-session-activity-bigint');
    expect(e.after!['tokens_used']).toBe(9007199254740993n);
    expect(e.tsUs).toBe('1760000004000000');
    expect(e.op).toBe('u');
  });

  it('tombstones and heartbeats are recognised, not applied', () => {
    expect(decode(topic('pending_inputs_by_account_day_bucket'), null, cfg)).toEqual({ kind: 'tombstone' });
    expect(decode('__debezium-heartbeat.fx', Buffer.from('{"ts_ms":1}'), cfg)).toEqual({ kind: 'heartbeat' });
  });

  it('rejects bad input with a reason: unparseable, unknown table, schema mismatch', () => {
    const kind = (fn: () => unknown) => {
      try {
        fn();
        return 'ok';
      } catch (e) {
        return (e as DecodeError).kind;
      }
    };
    expect(kind(() => decode(topic('sessions'), Buffer.from('{not json'), cfg))).toBe('unparseable');
    expect(kind(() => decode(topic('nope'), Buffer.from('{}'), cfg))).toBe('unknown-table');
    const bad = rawValue('01-session-insert')!
      .toString()
      .replace('"created_at":1760000000000', '"created_at":"yesterday"');
    expect(kind(() => decode(topic('sessions'), Buffer.from(bad), cfg))).toBe('schema-mismatch');
    expect(kind(() => decode(topic('turns_by_session'), rawValue('01-session-insert'), cfg))).toBe('schema-mismatch');
  });
});

describe('effects of an event', () => {
  it('a step update moves the step between label and latency entries (before -> after)', () => {
    const ops = effectOf(k, change('steps_by_turn', '07-step-update')).ops;
    const removed = ops.filter((o) => o.op === 'ZREM').map((o) => o.key);
    expect(removed).toContain(k.labelScores('acct_fx', '2025-10-09', 'bug_report'));
    expect(ops).toContainEqual({
      op: 'ZADD',
      key: k.latency('acct_fx', '2025-10-09', 11),
      a: '150',
      b: 'trn_fxa1\x1f0',
    });
    expect(ops).toContainEqual({
      op: 'HSET',
      key: k.labels('acct_fx', '2025-10-09'),
      a: 'trn_fxa1\x1f0',
      b: 'question',
    });
  });

  it('a delete removes what the before image added and always writes the guard', () => {
    const e = effectOf(k, change('pending_inputs_by_account_day_bucket', '09-pending-delete'));
    expect(e.writeGuard).toBe(true);
    expect(e.ops).toEqual([{ op: 'HDEL', key: k.pending('acct_fx', '2025-10-09'), a: 'ses_fx1\x1ftrn_fxa1\x1f3' }]);
  });

  it('sessions are guard-free (set-once cells and a last_activity max-register); other tables are last-writer-wins', () => {
    expect(effectOf(k, change('sessions', '01-session-insert')).writeGuard).toBe(false);
    expect(effectOf(k, change('turns_by_session', '02-turn-insert')).writeGuard).toBe(true);
    expect(effectOf(k, change('turns_by_session', '04-active-root-static')).guardField).toBe('-');
  });

  it('transition keeps rewritten fields instead of deleting them first', () => {
    const before = [
      { op: 'HSET' as const, key: 'h', a: 'f', b: '1' },
      { op: 'SADD' as const, key: 's', a: 'x' },
    ];
    const after = [{ op: 'HSET' as const, key: 'h', a: 'f', b: '2' }];
    expect(transition(before, after)).toEqual([
      { op: 'SREM', key: 's', a: 'x' },
      { op: 'HSET', key: 'h', a: 'f', b: '2' },
    ]);
  });

  it('transition re-sets a changed set-once (HSETNX) field', () => {
    const title = (b: string) => ({ op: 'HSETNX' as const, key: 's', a: 't', b });
    expect(transition([title('old')], [title('new')])).toEqual([{ op: 'HDEL', key: 's', a: 't' }, title('new')]);
    expect(transition([title('same')], [title('same')])).toEqual([title('same')]);
  });
});
