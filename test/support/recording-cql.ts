import type { CqlExecutor, QueryOptions, ResultPage, Row, Statement } from '../../src/cql/executor.ts';

/**
 * Wraps a real executor: records every statement, and can fail every write from the (k+1)-th on
 * (a crash partway through an operation), so a test sees exactly what reached the server.
 */
export class RecordingCql implements CqlExecutor {
  readonly statements: Statement[] = [];
  writes = 0;
  failAfterWrites = Infinity;

  constructor(private readonly inner: CqlExecutor) {}

  private isWrite(query: string): boolean {
    return /^\s*(INSERT|UPDATE|DELETE)/i.test(query);
  }

  async execute(query: string, params: unknown[] = [], options?: QueryOptions): Promise<ResultPage> {
    this.statements.push({ query, params });
    if (this.isWrite(query) && ++this.writes > this.failAfterWrites)
      throw new Error(`injected fault: write ${this.writes} after ${this.failAfterWrites}`);
    return this.inner.execute(query, params, options);
  }

  run<R extends Row>(s: Statement<R>, options?: QueryOptions): Promise<ResultPage<R>> {
    return this.execute(s.query, s.params, options) as Promise<ResultPage<R>>;
  }

  async batch(statements: Statement[]): Promise<void> {
    this.statements.push(...statements);
    await this.inner.batch(statements);
  }
}
