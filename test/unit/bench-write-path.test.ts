import { describe, expect, it } from 'vitest';
import { prepare, RecordingExecutor, replay, shapeOf, unconditional } from '../../src/bench/write-path/record.ts';
import { openLoop } from '../../src/bench/write-path/schedule.ts';
import { interleave, type Command } from '../../src/bench/write-path/workload.ts';
import { AgentStore } from '../../src/store/store.ts';
import { percentileRatios, percentiles } from '../../src/util/bootstrap.ts';
import { FakeCql } from '../support/fake-cql.ts';

describe('write-path bench: recording what the store sends', () => {
  it('records createSession as its LWT claim, the bucket schedule read, then its logged batch', async () => {
    const fake = new FakeCql();
    const rec = new RecordingExecutor(fake);
    const store = new AgentStore(rec, 'ks');
    const plan = await rec.record(() =>
      store.createSession({ sessionId: 's1', accountId: 'a1', title: 't', at: new Date('2026-10-01T00:00:00Z') }),
    );
    expect(plan[0]).toMatchObject({ kind: 'runs', runs: [{ options: { serial: true } }] });
    expect(plan[0]!.kind === 'runs' && plan[0]!.runs[0]!.statement.query).toMatch(
      /^INSERT INTO ks\.sessions .* IF NOT EXISTS$/,
    );
    expect(plan[1]!.kind === 'runs' && plan[1]!.runs[0]!.statement.query).toMatch(/FROM ks\.account_buckets /);
    expect(plan[2]!.kind).toBe('batch');
    expect(shapeOf(plan)).toMatchObject({ roundTrips: 3, lwt: 1 });
    // Everything went through to the real executor too.
    expect(fake.executed).toHaveLength(2);
    expect(fake.batches).toHaveLength(1);
  });

  it('groups runs started together (Promise.all) into one parallel step, and sequential ones apart', async () => {
    const rec = new RecordingExecutor(new FakeCql());
    const q = (n: number) => ({ query: `INSERT INTO ks.t (k) VALUES (${n})`, params: [] });
    const plan = await rec.record(async () => {
      await rec.run(q(1));
      await Promise.all([rec.run(q(2)), rec.run(q(3)), rec.run(q(4))]);
      await rec.run(q(5));
    });
    expect(plan.map((s) => (s.kind === 'runs' ? s.runs.length : -1))).toEqual([1, 3, 1]);
  });

  it('refuses overlapping recordings, whose steps it could not tell apart', async () => {
    const rec = new RecordingExecutor(new FakeCql());
    const first = rec.record(() => new Promise((r) => setTimeout(r, 10)));
    await expect(rec.record(async () => {})).rejects.toThrow(/already being recorded/);
    await first;
  });
});

describe('write-path bench: the bare replays', () => {
  it('strips an IF NOT EXISTS claim to a plain insert and drops the serial option', () => {
    const call = unconditional({
      query: 'INSERT INTO ks.turns (turn_id, role) VALUES (?, ?) IF NOT EXISTS',
      params: ['t1', 'human'],
      options: { serial: true },
    });
    expect(call).toEqual({ query: 'INSERT INTO ks.turns (turn_id, role) VALUES (?, ?)', params: ['t1', 'human'] });
  });

  it('strips a compare-and-set condition with the values bound in it', () => {
    const call = unconditional({
      query: 'UPDATE ks.session_counts SET turns = ? WHERE session_id = ? IF turns = ?',
      params: [3, 's1', 2],
      options: { serial: true, fetchSize: 10 },
    });
    expect(call).toEqual({
      query: 'UPDATE ks.session_counts SET turns = ? WHERE session_id = ?',
      params: [3, 's1'],
      options: { fetchSize: 10 },
    });
  });

  it('leaves unconditional statements alone', () => {
    const call = { query: 'SELECT a FROM ks.t WHERE k = ?', params: [1] };
    expect(unconditional(call)).toBe(call);
  });

  it('sends a batch as a logged batch, or as parallel single statements, into the target keyspace', async () => {
    const plan = [
      {
        kind: 'runs' as const,
        runs: [
          {
            statement: { query: 'INSERT INTO rec.t (k) VALUES (?) IF NOT EXISTS', params: [1] },
            options: { serial: true },
          },
        ],
      },
      {
        kind: 'batch' as const,
        statements: [1, 2].map((k) => ({ query: 'INSERT INTO rec.u (k) VALUES (?)', params: [k] })),
      },
    ];
    const batched = new FakeCql();
    await replay(batched, prepare(plan, 'rec', 'other', { lwt: true, batches: true }));
    expect(batched.executed.map((s) => s.query)).toEqual(['INSERT INTO other.t (k) VALUES (?) IF NOT EXISTS']);
    expect(batched.batches.map((b) => b.map((s) => s.query))).toEqual([
      ['INSERT INTO other.u (k) VALUES (?)', 'INSERT INTO other.u (k) VALUES (?)'],
    ]);

    const bare = new FakeCql();
    await replay(bare, prepare(plan, 'rec', 'other', { lwt: false, batches: false }));
    expect(bare.batches).toEqual([]);
    expect(bare.executed.map((s) => s.query)).toEqual([
      'INSERT INTO other.t (k) VALUES (?)',
      'INSERT INTO other.u (k) VALUES (?)',
      'INSERT INTO other.u (k) VALUES (?)',
    ]);
  });
});

describe('write-path bench: the open loop', () => {
  it('measures from the intended start: an operation queued behind a slow one carries the wait', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // 100/s: intended starts 0, 10 and 20 ms. The first holds its chain for 200 ms.
    const timed = await openLoop(
      [
        { chain: 'a', go: () => sleep(200) },
        { chain: 'a', go: async () => {} },
        { chain: 'b', go: async () => {} },
      ],
      100,
      10_000,
    );
    const ms = new Map(timed.map((t) => [t.index, t.ms]));
    expect(ms.get(1)!).toBeGreaterThanOrEqual(185);
    expect(ms.get(2)!).toBeLessThan(150);
  });

  it('fails the run with the first error of an operation', async () => {
    await expect(openLoop([{ chain: 'a', go: () => Promise.reject(new Error('boom')) }], 100, 10_000)).rejects.toThrow(
      'boom',
    );
  });
});

describe('write-path bench: interleaving sessions', () => {
  it('keeps each session in order and takes one command of each active session in turn', () => {
    const cmd = (session: number, i: number) => ({ kind: 'addSteps', session, run: async () => i }) as Command;
    const sessions = [0, 1, 2].map((s) => [0, 1].map((i) => cmd(s, i)));
    expect(interleave(sessions, 2).map((c) => c.session)).toEqual([0, 1, 0, 1, 2, 2]);
  });
});

describe('bootstrap intervals', () => {
  const xs = Array.from({ length: 400 }, (_, i) => 1 + (i % 97));
  it('gives the exact ratio for a sample and its double, inside its interval (the two are resampled apart)', () => {
    const [p50, p99] = percentileRatios(
      xs.map((x) => 2 * x),
      xs,
      [50, 99],
    );
    expect(p50!.value).toBe(2);
    expect(p50!.lo).toBeLessThan(2);
    expect(p50!.hi).toBeGreaterThan(2);
    expect(p99!.value).toBe(2);
  });

  it('brackets the estimate', () => {
    const [p50] = percentiles(xs, [50]);
    expect(p50!.lo).toBeLessThanOrEqual(p50!.value);
    expect(p50!.hi).toBeGreaterThanOrEqual(p50!.value);
    expect(p50!.hi).toBeGreaterThan(p50!.lo);
  });
});
