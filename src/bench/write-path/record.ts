import type { CqlExecutor, QueryOptions, ResultPage, Row, Statement } from '../../cql/executor.ts';

/**
 * What one store command sent, in order: the bare loop replays exactly these statements, so it
 * follows whatever the store writes (src/store is free to change its rows) without knowing how.
 * Runs started while another run of the same command is in flight (the store's Promise.all over
 * step rows) form one parallel group; a logged batch is its own step.
 */
type PlanStep =
  | { kind: 'runs'; runs: { statement: Statement; options?: QueryOptions }[] }
  | { kind: 'batch'; statements: Statement[] };

export type Plan = PlanStep[];

/** An executor that forwards everything and writes down what it forwarded, one command at a time. */
export class RecordingExecutor implements CqlExecutor {
  private plan: Plan | undefined;
  private inFlight = 0;

  constructor(private readonly inner: CqlExecutor) {}

  /** Records the calls `command` makes; commands must not overlap (the grouping relies on it). */
  async record(command: () => Promise<unknown>): Promise<Plan> {
    if (this.plan) throw new Error('RecordingExecutor.record: a command is already being recorded');
    this.plan = [];
    try {
      await command();
      return this.plan;
    } finally {
      this.plan = undefined;
    }
  }

  execute(query: string, params: unknown[] = [], options?: QueryOptions): Promise<ResultPage> {
    return this.run({ query, params }, options);
  }

  async run<R extends Row>(statement: Statement<R>, options?: QueryOptions): Promise<ResultPage<R>> {
    const plan = this.plan;
    if (plan) {
      const last = plan[plan.length - 1];
      const entry = { statement: statement as Statement, ...(options ? { options } : {}) };
      if (this.inFlight > 0 && last?.kind === 'runs') last.runs.push(entry);
      else plan.push({ kind: 'runs', runs: [entry] });
    }
    this.inFlight++;
    try {
      return await this.inner.run(statement, options);
    } finally {
      this.inFlight--;
    }
  }

  async batch(statements: Statement[]): Promise<void> {
    this.plan?.push({ kind: 'batch', statements });
    await this.inner.batch(statements);
  }
}

/** How a replay sends a plan: with or without the lightweight transactions, with or without logged batches. */
export interface ReplayMode {
  lwt: boolean;
  batches: boolean;
}

interface Call {
  query: string;
  params: unknown[];
  options?: QueryOptions;
}

/** A plan made ready to send: keyspace swapped, conditions stripped or kept, before the clock starts. */
export type Prepared = ({ kind: 'parallel'; calls: Call[] } | { kind: 'batch'; calls: Call[] })[];

/** The condition of a lightweight transaction: its last ` IF ...` clause (every value in it is bound). */
const CONDITION = /\sIF\s(?:(?!\sIF\s).)*$/s;

/** The same write without its condition: a plain upsert (the condition's bound values dropped too). */
export function unconditional(call: Call): Call {
  const m = CONDITION.exec(call.query);
  if (!m) return call;
  const bound = (m[0].match(/\?/g) ?? []).length;
  const { serial: _serial, ...options } = call.options ?? {};
  return {
    query: call.query.slice(0, m.index),
    params: call.params.slice(0, call.params.length - bound),
    ...(Object.keys(options).length ? { options } : {}),
  };
}

function isConditional(query: string): boolean {
  return CONDITION.test(query);
}

export function prepare(plan: Plan, fromKeyspace: string, toKeyspace: string, mode: ReplayMode): Prepared {
  const swap = (s: Statement, options?: QueryOptions): Call => {
    const call = {
      query: s.query.split(`${fromKeyspace}.`).join(`${toKeyspace}.`),
      params: s.params,
      ...(options ? { options } : {}),
    };
    return mode.lwt ? call : unconditional(call);
  };
  return plan.map((step) => {
    if (step.kind === 'runs') return { kind: 'parallel', calls: step.runs.map((r) => swap(r.statement, r.options)) };
    const calls = step.statements.map((s) => swap(s));
    return mode.batches ? { kind: 'batch', calls } : { kind: 'parallel', calls };
  });
}

export async function replay(exec: CqlExecutor, prepared: Prepared): Promise<void> {
  for (const step of prepared) {
    if (step.kind === 'batch') await exec.batch(step.calls);
    else await Promise.all(step.calls.map((c) => exec.execute(c.query, c.params, c.options)));
  }
}

/** What a plan costs in requests: sequential round trips, statements, conditional ones, batched ones. */
export function shapeOf(plan: Plan): { roundTrips: number; statements: number; lwt: number; batched: number } {
  let statements = 0;
  let lwt = 0;
  let batched = 0;
  for (const step of plan) {
    const s = step.kind === 'runs' ? step.runs.map((r) => r.statement) : step.statements;
    statements += s.length;
    lwt += s.filter((x) => isConditional(x.query)).length;
    if (step.kind === 'batch') batched += s.length;
  }
  return { roundTrips: plan.length, statements, lwt, batched };
}
