import { Annotation, Command, END, interrupt, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyThread } from '../../src/storage/checkpoint/index.ts';
import { checkpointKeyspace, type CheckpointKeyspace } from '../support/checkpoint.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';

// A real LangGraph graph on our saver and on MemorySaver: a subgraph, an interrupt and its resume,
// 50 supersteps of a loop, and a channel written only in the first step (the state a saver that does
// not rebuild carried-over channels loses). Then threads copied between savers, compared deeply.
const State = Annotation.Root({
  count: Annotation<number>({ reducer: (_, b) => b, default: () => 0 }),
  log: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  onlyFirst: Annotation<string>({ reducer: (_, b) => b, default: () => '' }),
});

const STEPS = 50;

function buildGraph(checkpointer: BaseCheckpointSaver) {
  const child = new StateGraph(State)
    .addNode('inner', (s) => ({ log: [`inner@${s.count}`] }))
    .addEdge(START, 'inner')
    .addEdge('inner', END)
    .compile();
  return new StateGraph(State)
    .addNode('init', () => ({ onlyFirst: 'written in step 1', log: ['init'] }))
    .addNode('step', (s) => ({ count: s.count + 1, log: [`step ${s.count + 1}`] }))
    .addNode('ask', () => ({ log: [`answer ${String(interrupt('approve?'))}`] }))
    .addNode('sub', child)
    .addEdge(START, 'init')
    .addEdge('init', 'step')
    .addConditionalEdges('step', (s) => (s.count === 25 ? 'ask' : s.count < STEPS ? 'step' : END), ['ask', 'step', END])
    .addEdge('ask', 'sub')
    .addEdge('sub', 'step')
    .compile({ checkpointer });
}

async function run(checkpointer: BaseCheckpointSaver, threadId: string) {
  const graph = buildGraph(checkpointer);
  const config = { configurable: { thread_id: threadId }, recursionLimit: 500 };
  await graph.invoke({ log: [] }, config);
  const paused = await graph.getState(config);
  await graph.invoke(new Command({ resume: 'yes' }), config);
  const final = await graph.getState(config);
  const history = [];
  for await (const snap of graph.getStateHistory(config))
    history.push({ values: snap.values, next: snap.next, step: snap.metadata?.step, source: snap.metadata?.source });
  return {
    paused: { next: paused.next, interrupts: paused.tasks.flatMap((t) => t.interrupts.map((i) => i.value)) },
    final: final.values,
    history,
  };
}

describe('a real LangGraph graph', () => {
  let ks: CheckpointKeyspace;
  let pool: pg.Pool;
  const schema = testSchema('checkpointer_graph');
  beforeAll(async () => {
    ks = await checkpointKeyspace();
    pool = await connectTestPg(schema);
  });
  afterAll(async () => {
    await ks?.close();
    if (pool) await closeTestPg(pool, schema);
  });

  it('gives the same pause, final state and history on our saver as on MemorySaver', async () => {
    const ours = ks.saver();
    const [a, b] = [await run(ours, 'graph-thread'), await run(new MemorySaver(), 'graph-thread')];
    expect(a.paused).toEqual({ next: ['ask'], interrupts: ['approve?'] });
    expect(a.final.count).toBe(STEPS);
    expect(a.final.onlyFirst).toBe('written in step 1');
    expect(a.final.log).toContain('answer yes');
    expect(a.final.log).toContain('inner@25');
    expect(a.history.length).toBeGreaterThan(STEPS);
    expect(a).toEqual(b);
    // The channel written in step 1 is rebuilt from its version-1 blob in the newest checkpoint.
    const latest = await ours.getTuple({ configurable: { thread_id: 'graph-thread' } });
    expect(latest?.checkpoint.channel_values['onlyFirst']).toBe('written in step 1');
    // The subgraph wrote into a namespace of its own; list without a namespace merges them newest first.
    const namespaces = new Set<string>();
    let previous = '\uffff';
    for await (const t of ours.list({ configurable: { thread_id: 'graph-thread' } })) {
      namespaces.add(t.config.configurable?.checkpoint_ns as string);
      expect(t.checkpoint.id < previous).toBe(true);
      previous = t.checkpoint.id;
    }
    expect([...namespaces].some((ns) => ns.startsWith('sub:'))).toBe(true);
  });

  it('copies threads PostgresSaver -> ours -> MemorySaver, every tuple deeply equal', async () => {
    const postgres = new PostgresSaver(pool, undefined, { schema });
    await postgres.setup();
    await run(postgres, 'copied');
    const ours = ks.saver();
    const memory = new MemorySaver();
    const ids = await copyThread(postgres, ours, 'copied');
    expect(await copyThread(ours, memory, 'copied')).toEqual(ids);
    expect(ids.length).toBeGreaterThan(STEPS);
    const all = async (s: BaseCheckpointSaver) => {
      const out = [];
      for await (const t of s.list({ configurable: { thread_id: 'copied' } })) out.push(t);
      return out;
    };
    const [fromPg, fromOurs, fromMemory] = [await all(postgres), await all(ours), await all(memory)];
    expect(fromOurs.map((t) => t.checkpoint.id)).toEqual(fromPg.map((t) => t.checkpoint.id));
    expect(fromOurs).toEqual(fromPg);
    // MemorySaver lists namespace by namespace; PostgresSaver and ours newest first overall.
    const byNsAndId = (ts: typeof fromOurs) => [...ts].sort((x, y) => key(x).localeCompare(key(y)));
    const key = (t: (typeof fromOurs)[number]) => `${String(t.config.configurable?.checkpoint_ns)}/${t.checkpoint.id}`;
    expect(byNsAndId(fromMemory)).toEqual(byNsAndId(fromOurs));
    // And back: ours -> a fresh PostgresSaver schema gives the same tuples again.
    const back = new PostgresSaver(pool, undefined, { schema: `${schema}_back` });
    await back.setup();
    await copyThread(ours, back, 'copied');
    expect(await all(back)).toEqual(fromPg);
    await pool.query(`DROP SCHEMA IF EXISTS ${schema}_back CASCADE`);
    // The graph resumes from the copy as from the original.
    const state = await buildGraph(ours).getState({ configurable: { thread_id: 'copied' } });
    expect(state.values['count']).toBe(STEPS);
  });
});
