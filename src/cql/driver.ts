import cassandra from 'cassandra-driver';
import type { CqlExecutor, QueryOptions, ResultPage, Row, Statement } from './executor.ts';

const { Client, types, policies } = cassandra;

export interface CqlConnection {
  /** host:port pairs, comma-separated, e.g. "127.0.0.1:19042" */
  contactPoints: string;
  localDataCenter: string;
  keyspace?: string;
  username?: string;
  password?: string;
}

/** Converts driver value types to plain ones so callers never import the driver. */
function plain(value: unknown): unknown {
  if (value instanceof types.LocalDate) return value.toString();
  // count(*) and bigint columns arrive as BigInt (useBigIntAsLong); counts we read fit a number.
  if (
    typeof value === 'bigint' &&
    value <= BigInt(Number.MAX_SAFE_INTEGER) &&
    value >= BigInt(Number.MIN_SAFE_INTEGER)
  ) {
    return Number(value);
  }
  return value;
}

function toRow(row: cassandra.types.Row): Row {
  const out: Row = {};
  for (const key of row.keys()) out[key] = plain(row.get(key));
  return out;
}

/** The driver's NoHostAvailableError nests one error per host; the first one says why in a line. */
function reason(err: unknown): string {
  const inner = (err as { innerErrors?: Record<string, Error> }).innerErrors;
  const first = inner ? Object.values(inner)[0] : undefined;
  return (first ?? (err as Error)).message.split('\n')[0]!;
}

/** The first connection failed: every contact point was unreachable, or refused the login (see innerErrors). */
export class CqlConnectError extends Error {
  override name = 'CqlConnectError';
  /** The driver's reason per host (an AuthenticationError for a refused login). */
  readonly innerErrors: Record<string, unknown>;
  constructor(
    readonly contactPoints: string,
    cause: unknown,
  ) {
    super(
      `cannot reach the CQL server at ${contactPoints} (${reason(cause)}). ` +
        `Start the local services with \`make services-up\`, or point --cql / AGENTSTORE_CQL at your cluster.`,
      { cause },
    );
    this.innerErrors = (cause as { innerErrors?: Record<string, unknown> }).innerErrors ?? {};
  }
}

const PREPARED = { prepare: true } as const;
const EMPTY: ResultPage = Object.freeze({ rows: [] }) as ResultPage;

function driverOptions(o: QueryOptions): cassandra.QueryOptions {
  return {
    prepare: true,
    ...(o.fetchSize ? { fetchSize: o.fetchSize } : {}),
    ...(o.pageState ? { pageState: o.pageState } : {}),
    ...(o.serial ? { serialConsistency: types.consistencies.localSerial } : {}),
  };
}

export class DriverExecutor implements CqlExecutor {
  private constructor(readonly client: cassandra.Client) {}

  static async connect(conn: CqlConnection): Promise<DriverExecutor> {
    const client = new Client({
      contactPoints: conn.contactPoints.split(',').map((s) => s.trim()),
      localDataCenter: conn.localDataCenter,
      ...(conn.keyspace ? { keyspace: conn.keyspace } : {}),
      ...(conn.username ? { credentials: { username: conn.username, password: conn.password ?? '' } } : {}),
      // One coordinator round trip per query; the seeder's concurrency comes from many in-flight requests.
      pooling: { coreConnectionsPerHost: { [types.distance.local]: 2 } },
      socketOptions: { connectTimeout: 10_000, readTimeout: 30_000 },
      policies: { reconnection: new policies.reconnection.ConstantReconnectionPolicy(500) },
      queryOptions: { consistency: types.consistencies.localQuorum, prepare: true },
      // Write timestamps (USING TIMESTAMP) are bound as BigInt microseconds.
      encoding: { useBigIntAsLong: true },
    });
    try {
      await client.connect();
    } catch (err) {
      await client.shutdown().catch(() => {});
      throw new CqlConnectError(conn.contactPoints, err);
    }
    return new DriverExecutor(client);
  }

  async execute(query: string, params: unknown[] = [], options?: QueryOptions): Promise<ResultPage> {
    // Most calls (every seeded row) pass no options: reuse one options object for them.
    const result = await this.client.execute(query, params as never, options ? driverOptions(options) : PREPARED);
    if (!result.rows?.length && !result.pageState) return EMPTY;
    return result.pageState
      ? { rows: result.rows.map(toRow), pageState: result.pageState }
      : { rows: result.rows.map(toRow) };
  }

  /** Rows arrive as the driver decodes the selected columns: a statement's row type is its promise. */
  run<R extends Row>(statement: Statement<R>, options?: QueryOptions): Promise<ResultPage<R>> {
    return this.execute(statement.query, statement.params, options) as Promise<ResultPage<R>>;
  }

  async batch(statements: Statement[]): Promise<void> {
    if (statements.length === 0) return;
    await this.client.batch(statements as never, { prepare: true, logged: true });
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
