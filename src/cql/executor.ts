/**
 * The one seam between agentstore and a CQL server. The store, migrations, seeder and verifier
 * take this interface, so unit tests can inject a fake and the driver stays in one file.
 */
export type Row = Record<string, unknown>;

/**
 * The row one write changes, carried by the statement that writes it (src/store/statements.ts sets
 * it on every INSERT, UPDATE and DELETE), so an executor that decorates writes, such as the CDC
 * stand-in, never parses CQL text to learn them.
 */
export interface RowWrite {
  keyspace: string;
  table: string;
  kind: 'insert' | 'update' | 'delete';
  /** Primary key values, in key order; for a write of static columns only the partition key. */
  key: Record<string, unknown>;
  /** true when only the partition key is named: a write of static columns. */
  staticRow: boolean;
  /** USING TIMESTAMP value (microseconds), which ScyllaDB also uses as the change's cdc$time. */
  writeTimeUs?: bigint;
  /** A lightweight transaction (IF NOT EXISTS): it may not apply. */
  lwt: boolean;
}

/** One CQL statement; R is the row type of a read (src/store/statements.ts `select`). */
export interface Statement<R extends Row = Row> {
  query: string;
  params: unknown[];
  row?: RowWrite;
  /** Never set: carries the type of the rows a read returns. */
  readonly rowType?: R;
}

export interface QueryOptions {
  /** Rows per page; a pageState continues where the last page stopped. */
  fetchSize?: number;
  pageState?: string;
  /** Lightweight transactions need SERIAL for the Paxos read; everything else uses the default. */
  serial?: boolean;
}

export interface ResultPage<R extends Row = Row> {
  rows: R[];
  pageState?: string;
}

export interface CqlExecutor {
  execute(query: string, params?: unknown[], options?: QueryOptions): Promise<ResultPage>;
  /** Runs one statement: its rows come typed, and a write's `row` reaches a decorating executor. */
  run<R extends Row>(statement: Statement<R>, options?: QueryOptions): Promise<ResultPage<R>>;
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
export async function* allRows<R extends Row>(
  exec: CqlExecutor,
  statement: Statement<R>,
  fetchSize = 1000,
): AsyncGenerator<R> {
  let pageState: string | undefined;
  do {
    const page = await exec.run(statement, { fetchSize, ...(pageState ? { pageState } : {}) });
    yield* page.rows;
    pageState = page.pageState;
  } while (pageState);
}
