import { describe, expect, it } from 'vitest';
import { LimitError, NotFoundError, ValidationError } from '../../src/domain/errors.ts';
import { LIMITS } from '../../src/domain/limits.ts';
import { StepType } from '../../src/domain/step-types.ts';
import { AgentStore } from '../../src/store/store.ts';
import { FakeCql } from '../support/fake-cql.ts';

const T0 = new Date('2026-10-01T10:00:00Z');
const clock = { now: () => T0 };

function setup() {
  const cql = new FakeCql();
  cql.rows['sessions']!.set('s1', { account_id: 'a1', title: 'Trip', created_at: T0 });
  const turn = (id: string, role: string, parent: string, session = 's1') =>
    cql.rows['turns']!.set(id, {
      session_id: session,
      account_id: 'a1',
      role,
      parent_id: parent,
      created_at: T0,
      session_created_at: T0,
    });
  turn('h1', 'human', '');
  turn('g1', 'agent', 'h1');
  turn('x9', 'agent', 'hx', 's2');
  return { cql, store: new AgentStore(cql, 'ks', clock) };
}

async function rejected(p: Promise<unknown>): Promise<ValidationError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('AgentStore validation: bad input names the field and writes nothing', () => {
  it('rejects an agent turn without a parent before any I/O', async () => {
    const { cql, store } = setup();
    const err = await rejected(store.appendTurn({ sessionId: 's1', turnId: 'g2', role: 'agent', parentId: null }));
    expect(err.field).toBe('parentId');
    expect(cql.executed).toHaveLength(0);
  });

  it('rejects a human turn under a human turn', async () => {
    const { cql, store } = setup();
    const err = await rejected(
      store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'h1', prompt: 'hi' }),
    );
    expect(err.field).toBe('parentId');
    expect(err.message).toMatch(/cannot follow a human turn/);
    expect(cql.writes()).toHaveLength(0);
  });

  it('rejects a parent from another session', async () => {
    const { cql, store } = setup();
    const err = await rejected(
      store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'x9', prompt: 'hi' }),
    );
    expect(err.message).toMatch(/belongs to session "s2"/);
    expect(cql.writes()).toHaveLength(0);
  });

  it('rejects a missing parent and a missing session with NotFoundError', async () => {
    const { cql, store } = setup();
    expect(
      await rejected(
        store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'nope', prompt: 'hi' }),
      ),
    ).toBeInstanceOf(NotFoundError);
    expect(
      await rejected(store.appendTurn({ sessionId: 'zz', turnId: 'h2', role: 'human', parentId: null, prompt: 'hi' })),
    ).toBeInstanceOf(NotFoundError);
    expect(cql.writes()).toHaveLength(0);
  });

  it('rejects bad ids, empty prompts and oversize prompts', async () => {
    const { store } = setup();
    expect(
      (await rejected(store.appendTurn({ sessionId: 's 1', turnId: 'h2', role: 'human', parentId: null, prompt: 'x' })))
        .field,
    ).toBe('sessionId');
    expect(
      (await rejected(store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: null, prompt: '  ' })))
        .field,
    ).toBe('prompt');
    const big = 'x'.repeat(40 * 1024);
    expect(
      (await rejected(store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: null, prompt: big })))
        .message,
    ).toMatch(/limit is 32768 bytes/);
  });

  it('checks every step before reading or writing anything', async () => {
    const { cql, store } = setup();
    const ok = { idx: 0, type: 'Text', content: { text: 'hello' }, durationMs: 10 };
    const cases: [unknown, string, RegExp][] = [
      [{ ...ok, idx: 1, type: 99 }, 'steps[1].type', /unknown step type 99/],
      [{ ...ok, idx: 1, content: '{"text":' }, 'steps[1].content', /not valid JSON/],
      [
        { ...ok, idx: 1, type: StepType.TurnClassifier, content: { label: 'bug', score: 1.5 } },
        'steps[1].content.score',
        /TurnClassifier/,
      ],
      [{ ...ok, idx: 1, content: { text: 'y'.repeat(70 * 1024) } }, 'steps[1].content', /limit is 65536 bytes/],
      [{ ...ok, idx: 0 }, 'steps[1].idx', /appears twice/],
      [{ ...ok, idx: 1, durationMs: -5 }, 'steps[1].durationMs', /milliseconds/],
    ];
    for (const [bad, field, message] of cases) {
      const err = await rejected(store.addSteps({ turnId: 'g1', steps: [ok, bad as never] }));
      expect(err.field).toBe(field);
      expect(err.message).toMatch(message);
    }
    expect(cql.executed).toHaveLength(0);
  });

  it('refuses steps on a human turn', async () => {
    const { cql, store } = setup();
    const err = await rejected(
      store.addSteps({ turnId: 'h1', steps: [{ idx: 0, type: 'Text', content: { text: 'x' }, durationMs: 1 }] }),
    );
    expect(err.message).toMatch(/human turn/);
    expect(cql.writes()).toHaveLength(0);
  });
});

describe('AgentStore writes', () => {
  it('appends a human reply: claims the turn, points the parent at it, then closes its open question after it', async () => {
    const { cql, store } = setup();
    cql.rows['pending_inputs_by_account_day_bucket'] = new Map([
      ['a1', { idx: 2, written: Number.MAX_SAFE_INTEGER - 5 }],
    ]);
    const turn = await store.appendTurn({
      sessionId: 's1',
      turnId: 'h2',
      role: 'human',
      parentId: 'g1',
      prompt: 'yes please',
    });
    expect(turn.createdAt).toEqual(T0);
    const claim = cql.executed.find((s) => s.query.includes('INSERT INTO ks.turns ('))!;
    expect(claim.query).toMatch(/IF NOT EXISTS$/);
    const batch = cql.batches[0]!.map((s) => s.query);
    expect(batch.some((q) => q.startsWith('UPDATE ks.turns_by_session SET active_child'))).toBe(true);
    // The close comes after the turn is stored, and after the request's own write time (whatever clock wrote it).
    const close = cql.executed.find((s) => s.query.startsWith('DELETE FROM ks.pending_inputs_by_account_day_bucket'))!;
    expect(cql.executed.indexOf(close)).toBeGreaterThan(cql.executed.indexOf(claim));
    expect(close.query).toMatch(/USING TIMESTAMP \?/);
    expect(close.params).toEqual([BigInt(Number.MAX_SAFE_INTEGER - 4), 'a1', '2026-10-01', 0, 's1', 'g1', 2]);
  });

  it('counts the turn with a compare-and-set before claiming it, and refuses a full session', async () => {
    const { cql, store } = setup();
    await store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'g1', prompt: 'hi' });
    const count = cql.executed.find(
      (s) => s.query.includes('turn_counts_by_session') && !s.query.startsWith('SELECT'),
    )!;
    expect(count.query).toBe('INSERT INTO ks.turn_counts_by_session (session_id, turns) VALUES (?, ?) IF NOT EXISTS');
    expect(count.params).toEqual(['s1', 1]);
    expect(cql.executed.indexOf(count)).toBeLessThan(
      cql.executed.findIndex((s) => s.query.includes('INSERT INTO ks.turns (')),
    );

    const full = setup();
    full.cql.rows['turn_counts_by_session'] = new Map([['s1', { turns: LIMITS.turnsPerSession }]]);
    const err = await rejected(
      full.store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'g1', prompt: 'hi' }),
    );
    expect(err).toBeInstanceOf(LimitError);
    expect(err.field).toBe('sessionId');
    expect(err.message).toMatch(/has 2000 turns, the most a session holds \(2000\): continue in a new session/);
    expect(full.cql.writes()).toHaveLength(0);
  });

  it('a retried append reuses the stored time, so index rows land on the same keys, and is not counted again', async () => {
    const { cql, store } = setup();
    const stored = new Date('2026-10-01T09:00:00Z');
    cql.rows['turns']!.set('h2', {
      session_id: 's1',
      account_id: 'a1',
      role: 'human',
      parent_id: 'g1',
      created_at: stored,
      session_created_at: T0,
    });
    const turn = await store.appendTurn({
      sessionId: 's1',
      turnId: 'h2',
      role: 'human',
      parentId: 'g1',
      prompt: 'again',
    });
    expect(turn.createdAt).toEqual(stored);
    const byDay = cql.batches[0]!.find((s) => s.query.includes('turns_by_account_day_bucket'))!;
    expect(byDay.params).toContain(stored);
    expect(cql.writes().some((s) => s.query.includes('turn_counts_by_session'))).toBe(false);
  });

  it('refuses a turn id already used elsewhere', async () => {
    const { store } = setup();
    const err = await rejected(
      store.appendTurn({ sessionId: 's1', turnId: 'x9', role: 'human', parentId: 'g1', prompt: 'hi' }),
    );
    expect(err.field).toBe('turnId');
  });

  it('refuses an `at` more than the clock skew ahead, naming the field', async () => {
    const { cql, store } = setup();
    const ahead = new Date(T0.getTime() + LIMITS.clockSkewMs + 1000);
    const err = await rejected(
      store.appendTurn({ sessionId: 's1', turnId: 'h2', role: 'human', parentId: 'g1', prompt: 'hi', at: ahead }),
    );
    expect(err.field).toBe('at');
    expect(err.message).toMatch(/at most 5 s ahead are accepted/);
    const step = { idx: 0, type: 'Text', content: { text: 'x' }, durationMs: 1, at: ahead };
    expect((await rejected(store.addSteps({ turnId: 'g1', steps: [step] }))).field).toBe('steps[0].at');
    const near = new Date(T0.getTime() + LIMITS.clockSkewMs);
    await store.addSteps({ turnId: 'g1', steps: [{ ...step, at: near }] });
    expect(cql.writes().length).toBeGreaterThan(0);
  });

  it('writes one analytics row per step, keyed by (turn, idx), with the measures as columns, and opens a pending input', async () => {
    const { cql, store } = setup();
    await store.addSteps({
      turnId: 'g1',
      steps: [
        { idx: 0, type: StepType.LangDetection, content: { language: 'de', confidence: 0.97 }, durationMs: 12 },
        {
          idx: 1,
          type: 'TurnClassifier',
          content: JSON.stringify({ label: 'bug_report', score: 0.91 }),
          durationMs: 40,
        },
        {
          idx: 2,
          type: 'InputRequest',
          content: { question: 'Which OS?', inputType: 'choice', options: ['mac', 'linux'] },
          durationMs: 5,
        },
      ],
    });
    const stepRows = cql.executed.filter((s) => s.query.startsWith('INSERT INTO ks.steps_by_turn'));
    expect(stepRows).toHaveLength(3);
    const derived = cql.batches[0]!;
    const analytics = derived.filter((s) => s.query.includes('steps_by_account_day_bucket'));
    expect(analytics.map((s) => s.query.match(/\(([^)]*)\)/)![1])).toEqual([
      'account_id, day, bucket, turn_id, idx, session_id, step_type, duration_ms, label, score',
      'account_id, day, bucket, turn_id, idx, session_id, step_type, duration_ms, label, score',
      'account_id, day, bucket, turn_id, idx, session_id, step_type, duration_ms',
    ]);
    expect(analytics[1]!.params.slice(0, 10)).toEqual([
      'a1',
      '2026-10-01',
      0,
      'g1',
      1,
      's1',
      11,
      40,
      'bug_report',
      0.91,
    ]);
    // The step row and its analytics row share one write time, so two rewrites settle on the same version.
    const ts = stepRows[1]!.params.at(-1);
    expect(typeof ts).toBe('bigint');
    expect(analytics[1]!.params.at(-1)).toBe(ts);
    const pending = derived.find((s) => s.query.includes('pending_inputs_by_account_day_bucket'))!;
    expect(pending.params).toEqual(['a1', '2026-10-01', 0, 's1', 'g1', 2, 'Which OS?', T0, ts]);
  });

  it('an InputRequest asked after its answer was stored opens and closes at once, the close after the open', async () => {
    const { cql, store } = setup();
    cql.rows['turns_by_session']!.set('s1/g1', { turn_id: 'h9' });
    await store.addSteps({
      turnId: 'g1',
      steps: [{ idx: 0, type: 'InputRequest', content: { question: 'OK?', inputType: 'confirm' }, durationMs: 5 }],
    });
    const open = cql.batches[0]!.find((s) => s.query.includes('pending_inputs_by_account_day_bucket'))!;
    const close = cql.batches[1]!.find((s) =>
      s.query.startsWith('DELETE FROM ks.pending_inputs_by_account_day_bucket'),
    )!;
    expect(close.params[0] as bigint).toBeGreaterThan(open.params.at(-1) as bigint);
  });

  it('a rewrite of an InputRequest to another type closes its pending input, after the version it replaces', async () => {
    const { cql, store } = setup();
    const before = Date.now() * 1000 + 60_000_000; // a version written by a server whose clock runs a minute ahead
    cql.rows['steps_by_turn'] = new Map([['g1', { idx: 0, step_type: StepType.InputRequest, written: before }]]);
    await store.addSteps({
      turnId: 'g1',
      steps: [{ idx: 0, type: 'Text', content: { text: 'never mind' }, durationMs: 5 }],
    });
    const close = cql.batches[0]!.find((s) =>
      s.query.startsWith('DELETE FROM ks.pending_inputs_by_account_day_bucket'),
    )!;
    expect(close.params[0]).toBe(BigInt(before) + 1n);
    expect(cql.executed.find((s) => s.query.startsWith('INSERT INTO ks.steps_by_turn'))!.params.at(-1)).toBe(
      BigInt(before) + 1n,
    );
  });

  it('bucket schedules change only from a day no write can reach yet', async () => {
    const { cql, store } = setup();
    const refuse = async (input: { buckets: number; since: string }, field: string, message: RegExp) => {
      const err = await rejected(store.setAccountBuckets({ accountId: 'a1', ...input }));
      expect([err.field, err.message]).toEqual([field, expect.stringMatching(message)]);
    };
    await refuse({ buckets: 4, since: '2026-10-01' }, 'since', /may already have rows.*2026-10-02 or later/);
    await refuse({ buckets: 65, since: '2026-10-05' }, 'buckets', /from 1 to 64/);
    await refuse({ buckets: 4, since: '2026-13-01' }, 'since', /YYYY-MM-DD/);
    expect(cql.writes()).toHaveLength(0);
    await store.setAccountBuckets({ accountId: 'a1', buckets: 4, since: '2026-10-02' });
    expect(cql.writes()).toEqual([
      {
        query: 'INSERT INTO ks.account_buckets (account_id, since, buckets) VALUES (?, ?, ?)',
        params: ['a1', '2026-10-02', 4],
      },
    ]);
  });

  it('switches the shown root with the static active_root column', async () => {
    const { cql, store } = setup();
    await store.switchBranch({ sessionId: 's1', parentId: null, childId: 'h1' });
    expect(cql.executed.at(-1)).toMatchObject({
      query: 'UPDATE ks.turns_by_session SET active_root = ? WHERE session_id = ?',
      params: ['h1', 's1'],
    });
    const err = await rejected(store.switchBranch({ sessionId: 's1', parentId: 'h1', childId: 'h1' }));
    expect(err.message).toMatch(/not a child of "h1"/);
  });
});
