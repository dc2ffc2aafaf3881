import type { SessionModel } from '../../seed/generator.ts';
import type { AgentStore } from '../../store/store.ts';

/** The store commands a conversation is made of, as the application calls them. */
export type CommandKind = 'createSession' | 'appendTurn human' | 'appendTurn agent' | 'addSteps';
export const COMMAND_KINDS: readonly CommandKind[] = [
  'createSession',
  'appendTurn human',
  'appendTurn agent',
  'addSteps',
];

export interface Command {
  kind: CommandKind;
  /** Commands of one session run in order; the scheduler chains them. */
  session: number;
  run(store: AgentStore): Promise<unknown>;
}

/** A generated session as the commands that write it: the session, then each turn, its steps after an agent turn. */
export function commandsOf(model: SessionModel, session: number): Command[] {
  const s = model.session;
  const out: Command[] = [
    {
      kind: 'createSession',
      session,
      run: (store) =>
        store.createSession({ sessionId: s.sessionId, accountId: s.accountId, title: s.title, at: s.createdAt }),
    },
  ];
  for (const t of model.turns) {
    out.push({
      kind: t.role === 'human' ? 'appendTurn human' : 'appendTurn agent',
      session,
      run: (store) =>
        store.appendTurn({
          sessionId: t.sessionId,
          turnId: t.turnId,
          role: t.role,
          parentId: t.parentId,
          ...(t.role === 'human' ? { prompt: t.prompt } : {}),
          ...(t.role === 'agent' && t.agentVersion !== null ? { agentVersion: t.agentVersion } : {}),
          at: t.createdAt,
        }),
    });
    const steps = model.steps.filter((x) => x.turnId === t.turnId);
    if (steps.length === 0) continue;
    out.push({
      kind: 'addSteps',
      session,
      run: (store) =>
        store.addSteps({
          turnId: t.turnId,
          steps: steps.map((x) => ({
            idx: x.idx,
            type: x.type,
            content: x.content,
            durationMs: x.durationMs,
            at: x.createdAt,
          })),
        }),
    });
  }
  return out;
}

/**
 * One stream of commands with `concurrent` sessions in progress at a time, taking one command of
 * each in turn (a new session starts when one ends): consecutive commands of a session are far
 * apart, as in real traffic, so a command rarely waits for its predecessor.
 */
export function interleave(sessions: Command[][], concurrent: number): Command[] {
  const out: Command[] = [];
  const queue = [...sessions];
  const active: Command[][] = [];
  while (queue.length > 0 || active.length > 0) {
    while (active.length < concurrent && queue.length > 0) active.push([...queue.shift()!]);
    for (let i = 0; i < active.length; i++) {
      out.push(active[i]!.shift()!);
      if (active[i]!.length === 0) active.splice(i--, 1);
    }
  }
  return out;
}
