import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/domain/errors.ts';
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
  it('appends a human reply: claims the turn, points the parent at it and clears its pending input', async () => {
    const { cql, store } = setup();
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
    expect(batch.some((q) => q.startsWith('DELETE FROM ks.pending_inputs_by_account'))).toBe(true);
  });

  it('a retried append reuses the stored time, so index rows land on the same keys', async () => {
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
    const byDay = cql.batches[0]!.find((s) => s.query.includes('turns_by_account_day'))!;
    expect(byDay.params).toContain(stored);
  });

  it('refuses a turn id already used elsewhere', async () => {
    const { store } = setup();
    const err = await rejected(
      store.appendTurn({ sessionId: 's1', turnId: 'x9', role: 'human', parentId: 'g1', prompt: 'hi' }),
    );
    expect(err.field).toBe('turnId');
  });

  it('writes labels and a pending input for steps of an unanswered turn', async () => {
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
    expect(cql.executed.filter((s) => s.query.startsWith('INSERT INTO ks.steps_by_turn'))).toHaveLength(3);
    const derived = cql.batches[0]!;
    const labels = derived
      .filter((s) => s.query.includes('turn_labels_by_account_day'))
      .map((s) => s.params.slice(2, 5));
    expect(labels).toEqual([
      ['language', 'de', 0.97],
      ['classifier', 'bug_report', 0.91],
    ]);
    const pending = derived.find((s) => s.query.includes('pending_inputs_by_account'))!;
    expect(pending.params).toEqual(['a1', 's1', 'g1', 'Which OS?', T0]);
  });

  it('does not mark an InputRequest pending when a human already answered', async () => {
    const { cql, store } = setup();
    cql.rows['turns_by_session']!.set('s1/g1', { turn_id: 'h9' });
    await store.addSteps({
      turnId: 'g1',
      steps: [{ idx: 0, type: 'InputRequest', content: { question: 'OK?', inputType: 'confirm' }, durationMs: 5 }],
    });
    expect(cql.batches[0]!.some((s) => s.query.includes('pending_inputs_by_account'))).toBe(false);
  });

  it('switches the shown root with the static active_root column', async () => {
    const { cql, store } = setup();
    await store.switchBranch({ sessionId: 's1', parentId: null, childId: 'h1' });
    expect(cql.executed.at(-1)).toEqual({
      query: 'UPDATE ks.turns_by_session SET active_root = ? WHERE session_id = ?',
      params: ['h1', 's1'],
    });
    const err = await rejected(store.switchBranch({ sessionId: 's1', parentId: 'h1', childId: 'h1' }));
    expect(err.message).toMatch(/not a child of "h1"/);
  });
});
