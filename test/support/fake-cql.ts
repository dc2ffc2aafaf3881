import type { CqlExecutor, QueryOptions, ResultPage, Row, Statement } from '../../src/cql/executor.ts';

/**
 * A scripted CqlExecutor for unit tests of the store's logic: reads are answered from `rows`
 * (keyed by table and first bound value), and every statement is recorded so a test can assert
 * exactly what was (or was not) written.
 */
export class FakeCql implements CqlExecutor {
  readonly executed: Statement[] = [];
  readonly batches: Statement[][] = [];
  /** table -> key -> row, e.g. rows.turns.get('t1') */
  readonly rows: Record<string, Map<string, Row>> = {
    sessions: new Map(),
    turns: new Map(),
    turns_by_session: new Map(),
  };

  async execute(query: string, params: unknown[] = [], _options?: QueryOptions): Promise<ResultPage> {
    this.executed.push({ query, params });
    const table = /(?:FROM|INTO) \w+\.(\w+)/.exec(query)?.[1] ?? '';
    if (query.startsWith('SELECT')) {
      const row = this.rows[table]?.get(
        String(params[0]) + (table === 'turns_by_session' ? `/${String(params[1])}` : ''),
      );
      return { rows: row ? [row] : [] };
    }
    if (query.includes('IF NOT EXISTS')) {
      const existing = this.rows[table]?.get(String(params[0]));
      return { rows: [existing ? { '[applied]': false, ...existing } : { '[applied]': true }] };
    }
    return { rows: [] };
  }

  run<R extends Row>(s: Statement<R>, options?: QueryOptions): Promise<ResultPage<R>> {
    // Answers are scripted rows of whichever table the test filled in: they stand for R.
    return this.execute(s.query, s.params, options) as Promise<ResultPage<R>>;
  }

  async batch(statements: Statement[]): Promise<void> {
    this.batches.push(statements);
  }

  /** Statements that change data (everything but SELECTs). */
  writes(): Statement[] {
    return [...this.executed.filter((s) => !s.query.startsWith('SELECT')), ...this.batches.flat()];
  }
}
