import type { Step, Turn } from '../domain/model.ts';
import { stepTypeName } from '../domain/step-types.ts';
import type { AgentStore } from '../store/store.ts';
import type { SessionModel } from './generator.ts';

/**
 * Replays a generated session through the store's commands, as an application would have made
 * them: create the session, append each turn, write each agent turn's steps, rewrite steps (the
 * churn mode's later versions), show the branches the model shows. Events less than RACE_MS apart
 * that do not depend on each other run concurrently, so a human answer races the write of the
 * question it answers, and a regeneration the steps of the turn it replaces: the races the write
 * model must get right. The model's own times are passed as `at`, so the store ends in the state
 * the ground truth computes.
 */
const RACE_MS = 2_000;

interface Event {
  at: number;
  /** What must be stored before this event runs: turn ids, and step versions "turn/idx/rank". */
  needs: string[];
  /** What this event stores. */
  gives: string[];
  run: (store: AgentStore) => Promise<unknown>;
}

function events(m: SessionModel): Event[] {
  const out: Event[] = [];
  const s = m.session;
  out.push({
    at: s.createdAt.getTime(),
    needs: [],
    gives: [s.sessionId],
    run: (store) =>
      store.createSession({ sessionId: s.sessionId, accountId: s.accountId, title: s.title, at: s.createdAt }),
  });
  for (const t of m.turns) {
    out.push({
      at: t.createdAt.getTime(),
      needs: [s.sessionId, ...(t.parentId ? [t.parentId] : [])],
      gives: [t.turnId],
      run: (store) => store.appendTurn(appendOf(t)),
    });
  }
  // Each (turn, idx) version after the first is its own call, after the version it replaces.
  const rank = new Map<string, number>();
  const first = new Map<string, Step[]>();
  for (const v of [...m.superseded, ...m.steps].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const key = `${v.turnId}/${v.idx}`;
    const r = rank.get(key) ?? 0;
    rank.set(key, r + 1);
    if (r === 0) (first.get(v.turnId) ?? first.set(v.turnId, []).get(v.turnId)!).push(v);
    else
      out.push({
        at: v.createdAt.getTime(),
        needs: [`${key}/${r - 1}`],
        gives: [`${key}/${r}`],
        run: (store) => store.addSteps({ turnId: v.turnId, steps: [stepOf(v)] }),
      });
  }
  // An agent writes a turn's steps when it has them all: its answer's time is its last step's.
  for (const [turnId, steps] of first)
    out.push({
      at: Math.max(...steps.map((v) => v.createdAt.getTime())),
      needs: [turnId],
      gives: steps.map((v) => `${v.turnId}/${v.idx}/0`),
      run: (store) => store.addSteps({ turnId, steps: steps.map(stepOf) }),
    });
  return out.sort((a, b) => a.at - b.at);
}

const appendOf = (t: Turn) => ({
  sessionId: t.sessionId,
  turnId: t.turnId,
  role: t.role,
  parentId: t.parentId,
  ...(t.role === 'human' ? { prompt: t.prompt } : {}),
  ...(t.agentVersion ? { agentVersion: t.agentVersion } : {}),
  at: t.createdAt,
});

const stepOf = (v: Step) => ({
  idx: v.idx,
  type: stepTypeName(v.type),
  content: v.content,
  durationMs: v.durationMs,
  at: v.createdAt,
});

/** Replays one session; returns how many of its events ran concurrently with another. */
export async function replaySession(store: AgentStore, m: SessionModel): Promise<number> {
  let raced = 0;
  const pending = events(m);
  const done = new Set<string>();
  const ready = (e: Event) => e.needs.every((n) => done.has(n));
  while (pending.length) {
    // The earliest event whose needs are stored, with every other ready event less than RACE_MS after it.
    const first = pending.findIndex(ready);
    if (first < 0) throw new Error(`replay of ${m.session.sessionId}: its events wait for each other`);
    const wave = pending.splice(first, 1);
    for (let i = 0; i < pending.length && pending[i]!.at - wave[0]!.at < RACE_MS;)
      if (ready(pending[i]!)) wave.push(...pending.splice(i, 1));
      else i++;
    if (wave.length > 1) raced += wave.length;
    await Promise.all(wave.map((e) => e.run(store)));
    for (const e of wave) e.gives.forEach((g) => done.add(g));
  }
  // Shown children: each parent's (the model's final choice; the store showed the newest so far).
  const turns = new Map(m.turns.map((t) => [t.turnId, t]));
  for (const child of m.active.values())
    await store.switchBranch({ sessionId: m.session.sessionId, parentId: turns.get(child)!.parentId, childId: child });
  return raced;
}
