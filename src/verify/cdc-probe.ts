import { randomBytes } from 'node:crypto';
import { nearestRank, type KeyQueries } from '../domain/queries.ts';
import { StepType } from '../domain/step-types.ts';
import type { AgentStore } from '../store/store.ts';

/**
 * The CDC path's end-to-end probe: fresh conversations written to the write model, each waited for
 * in the read models. One probe conversation is a session, a human turn and an agent turn with one
 * Text step, so it crosses three CDC tables (sessions, turns_by_session, steps_by_turn); it counts
 * as visible when the session summary shows both turns and the agent turn's step is listed.
 * Its lag: last write acknowledged -> first seen complete in Redis.
 *
 * Ids start with `probe-<run>-` under the account `probe-<run>`: the rows stay in the keyspace (the
 * connector captures only the live one), recognisable and apart from any real account.
 */
export interface ProbeResult {
  run: string;
  writes: number;
  /** Ascending. */
  lagsMs: number[];
  p50Ms: number;
  p99Ms: number;
}

export class ProbeTimeoutError extends Error {
  constructor(
    readonly missing: number,
    readonly writes: number,
    readonly timeoutMs: number,
  ) {
    super(
      `${missing} of ${writes} probe conversations not visible in the read models after ${Math.round(timeoutMs / 1000)} s`,
    );
  }
}

export interface ProbeOptions {
  writes: number;
  timeoutMs: number;
  /** Pause between two probe conversations, so lag is measured under a trickle, not one burst. */
  spacingMs?: number;
  onProgress?: (visible: number, writes: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function isVisible(queries: KeyQueries, sessionId: string, agentTurnId: string): Promise<boolean> {
  const summary = await queries.sessionSummary(sessionId);
  if (!summary || summary.humanTurns !== 1 || summary.agentTurns !== 1) return false;
  const steps = await queries.turnSteps(agentTurnId, { limit: 10 });
  return steps.items.length === 1;
}

export async function probeCdc(store: AgentStore, queries: KeyQueries, o: ProbeOptions): Promise<ProbeResult> {
  const run = randomBytes(4).toString('hex');
  const pending = new Map<string, { agentTurnId: string; at: number }>();
  const lags: number[] = [];
  const writer = (async () => {
    for (let i = 0; i < o.writes; i++) {
      const sessionId = `probe-${run}-${i}`;
      const human = `${sessionId}-h`;
      const agent = `${sessionId}-a`;
      await store.createSession({ sessionId, accountId: `probe-${run}`, title: `CDC probe ${i}` });
      await store.appendTurn({
        sessionId,
        turnId: human,
        role: 'human',
        parentId: null,
        prompt: 'Is the CDC path up?',
      });
      await store.appendTurn({ sessionId, turnId: agent, role: 'agent', parentId: human, agentVersion: 'probe' });
      await store.addSteps({
        turnId: agent,
        steps: [{ idx: 0, type: StepType.Text, content: { text: 'It is.' }, durationMs: 1 }],
      });
      pending.set(sessionId, { agentTurnId: agent, at: performance.now() });
      await sleep(o.spacingMs ?? 5);
    }
  })();
  let writing = true;
  let failed: unknown;
  void writer.then(
    () => {
      writing = false;
    },
    (err: unknown) => {
      writing = false;
      failed = err;
    },
  );
  const started = Date.now();
  while (writing || pending.size) {
    if (failed) throw failed;
    for (const [sessionId, p] of [...pending]) {
      if (await isVisible(queries, sessionId, p.agentTurnId)) {
        lags.push(performance.now() - p.at);
        pending.delete(sessionId);
        o.onProgress?.(lags.length, o.writes);
      }
    }
    if (Date.now() - started > o.timeoutMs) throw new ProbeTimeoutError(o.writes - lags.length, o.writes, o.timeoutMs);
    await sleep(10);
  }
  await writer;
  lags.sort((a, b) => a - b);
  return { run, writes: lags.length, lagsMs: lags, p50Ms: nearestRank(lags, 50), p99Ms: nearestRank(lags, 99) };
}
