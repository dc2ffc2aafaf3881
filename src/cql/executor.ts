/**
 * The one seam between agentstore and a CQL server. The store, migrations, seeder and verifier
 * take this interface, so unit tests can inject a fake and the driver stays in one file.
 */
export type Row = Record<string, unknown>;

export interface Statement {
  query: string;
  params: unknown[];
}

export interface QueryOptions {
  /** Rows per page; a pageState continues where the last page stopped. */
  fetchSize?: number;
  pageState?: string;
  /** Lightweight transactions need SERIAL for the Paxos read; everything else uses the default. */
  serial?: boolean;
}

export interface ResultPage {
  rows: Row[];
  pageState?: string;
}

export interface CqlExecutor {
  execute(query: string, params?: unknown[], options?: QueryOptions): Promise<ResultPage>;
  /** A logged batch: all statements apply or, after a coordinator failure, are replayed until they do. */
  batch(statements: Statement[]): Promise<void>;
}

/**
 * Whether a server error says a keyspace or table does not exist: the native protocol's Invalid error
 * (0x2200), which ScyllaDB and Cassandra return for both. Other errors (unreachable, timeouts) are not.
 */
export function isMissingSchema(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e?.code === 0x2200 && /does not exist|unconfigured table/i.test(String(e.message));
}

/** The `[applied]` column of a lightweight transaction's result. */
export function applied(page: ResultPage): boolean {
  return page.rows[0]?.['[applied]'] === true;
}

/** Reads every page of a query; only for bounded reads (one partition, or a migration's backfill). */
export async function* allRows(
  exec: CqlExecutor,
  query: string,
  params: unknown[] = [],
  fetchSize = 1000,
): AsyncGenerator<Row> {
  let pageState: string | undefined;
  do {
    const page = await exec.execute(query, params, { fetchSize, ...(pageState ? { pageState } : {}) });
    yield* page.rows;
    pageState = page.pageState;
  } while (pageState);
}
