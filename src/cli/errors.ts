/**
 * What the CLI prints when a command fails: one line, `error: <cause>; fix: <what to do>`, and an exit
 * status a script can act on. The drivers' own errors are recognised here, at the edge, by the shapes
 * their libraries document (cassandra-driver's NoHostAvailableError and ResponseError codes, node-redis'
 * replies, kafkajs' error names, pg's SQLSTATE codes), so no stack trace reaches a user for a cause
 * they can fix. Anything else is a bug: its message, and the stack under AGENTSTORE_DEBUG=1.
 *
 * Exit statuses: 1 the command failed or a service could not be used (a retry may help: the chart's
 * Jobs retry on it), 2 a bad flag, setting or input, or a keyspace that needs `agentstore migrate`
 * (retrying the same command cannot help), 3 an applied migration was edited.
 */
import { BackupRefusedError } from '../backup/errors.ts';
import { ENV, readEnv } from '../config/env.ts';
import { UsageError } from '../config/settings.ts';
import { isMissingSchema } from '../cql/executor.ts';
import { ValidationError } from '../domain/errors.ts';
import { MigrationChecksumError, SchemaNotReadyError } from '../migrations/runner.ts';

export interface Failure {
  cause: string;
  fix?: string;
  exitCode: 1 | 2 | 3;
}

/** Where the command was pointed, so a message can name the address it could not use. */
export interface Endpoints {
  cql?: string;
  keyspace?: string;
  redis?: string;
  kafka?: string;
  postgres?: string;
}

type AnyError = Error & {
  code?: unknown;
  innerErrors?: Record<string, unknown>;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown[];
};

const firstLine = (s: unknown): string =>
  String(s ?? '')
    .split('\n')[0]!
    .trim();

/** A URL with any user or password taken out, to be shown. */
function withoutCredentials(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}

const SERVICES_FIX = 'start the local services with `make services-up`';

function cqlFailure(e: AnyError, at: Endpoints): Failure | undefined {
  const where = at.cql ? ` at ${at.cql}` : '';
  if (e.name === 'NoHostAvailableError' || e.name === 'CqlConnectError') {
    const inner = Object.values(e.innerErrors ?? {}) as AnyError[];
    const auth = inner.find((x) => x?.name === 'AuthenticationError');
    if (auth) {
      return {
        cause: `the CQL server${where} refused the login (${firstLine(auth.message)})`,
        fix: 'check AGENTSTORE_CQL_USERNAME and AGENTSTORE_CQL_PASSWORD (the chart keeps them in the ScyllaDB auth Secret)',
        exitCode: 1,
      };
    }
    const why = inner[0] ? firstLine(inner[0].message) : firstLine(e.message);
    return {
      cause: `cannot reach the CQL server${where} (${why})`,
      fix: `${SERVICES_FIX}, or point --cql / AGENTSTORE_CQL at your cluster`,
      exitCode: 1,
    };
  }
  if (e.name === 'ResponseError' && typeof e.code === 'number') {
    if (isMissingSchema(e)) {
      return {
        cause: `${firstLine(e.message)} on the CQL server${where}`,
        fix: `run \`agentstore migrate${at.keyspace ? ` --keyspace ${at.keyspace}` : ''}\` (or check --keyspace)`,
        exitCode: 2,
      };
    }
    if (e.code === 0x0100) {
      return {
        cause: `the CQL server${where} refused the login (${firstLine(e.message)})`,
        fix: 'check AGENTSTORE_CQL_USERNAME and AGENTSTORE_CQL_PASSWORD',
        exitCode: 1,
      };
    }
    if (e.code === 0x2100) {
      return {
        cause: `the CQL user may not do this: ${firstLine(e.message)}`,
        fix: 'grant the role the permission, or use the role the chart creates',
        exitCode: 1,
      };
    }
    if ([0x1000, 0x1100, 0x1200, 0x1300, 0x1400].includes(e.code)) {
      return {
        cause: `the CQL server${where} could not serve the request in time (${firstLine(e.message)})`,
        fix: 'it is overloaded or a replica is down: check `nodetool status` and retry',
        exitCode: 1,
      };
    }
  }
  return undefined;
}

function redisFailure(e: AnyError, at: Endpoints): Failure | undefined {
  const original = (e.originalError ?? e) as AnyError;
  const text = firstLine(original.message);
  const where = at.redis ? ` at ${withoutCredentials(at.redis)}` : '';
  if (/WRONGPASS|NOAUTH|invalid password/i.test(text)) {
    return {
      cause: `Redis${where} refused the password (${text})`,
      fix: 'set AGENTSTORE_REDIS_PASSWORD to the password Redis requires (the chart keeps it in the Redis Secret)',
      exitCode: 1,
    };
  }
  if (e.name === 'ReconnectStrategyError' || e.constructor?.name === 'ReconnectStrategyError') {
    return {
      cause: `cannot reach Redis${where} (${text})`,
      fix: `${SERVICES_FIX}, or set AGENTSTORE_REDIS to your Redis`,
      exitCode: 1,
    };
  }
  return undefined;
}

function kafkaFailure(e: AnyError, at: Endpoints): Failure | undefined {
  if (!e.name?.startsWith('KafkaJS')) return undefined;
  const where = at.kafka ? ` at ${at.kafka}` : '';
  const connection =
    e.name === 'KafkaJSConnectionError' ||
    (e.cause as AnyError | undefined)?.name === 'KafkaJSConnectionError' ||
    /connect|ECONNREFUSED|ENOTFOUND|Connection error/i.test(e.message);
  if (connection) {
    return {
      cause: `cannot reach Kafka${where} (${firstLine(e.message)})`,
      fix: `${SERVICES_FIX}, or set AGENTSTORE_KAFKA to your brokers`,
      exitCode: 1,
    };
  }
  return { cause: `Kafka${where}: ${firstLine(e.message)}`, exitCode: 1 };
}

/** pg's errors carry the server's SQLSTATE; connection failures carry Node's errno codes. */
function postgresFailure(e: AnyError, at: Endpoints): Failure | undefined {
  const where = at.postgres ? ` at ${withoutCredentials(at.postgres)}` : '';
  const sqlstate = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  if (!sqlstate) return undefined;
  if (sqlstate === '28P01' || sqlstate === '28000') {
    return {
      cause: `PostgreSQL${where} refused the login (${firstLine(e.message)})`,
      fix: 'check the user and password in --pg / AGENTSTORE_PG',
      exitCode: 1,
    };
  }
  if (sqlstate === '3D000') {
    return {
      cause: `PostgreSQL${where}: ${firstLine(e.message)}`,
      fix: 'create the database, or name an existing one in --pg / AGENTSTORE_PG',
      exitCode: 2,
    };
  }
  if (sqlstate === '42P01' || sqlstate === '3F000') {
    return {
      cause: `PostgreSQL${where}: ${firstLine(e.message)}`,
      fix: 'run `agentstore pg-migrate` with the same --pg-schema first',
      exitCode: 2,
    };
  }
  return { cause: `PostgreSQL${where}: ${firstLine(e.message)} (SQLSTATE ${sqlstate})`, exitCode: 1 };
}

/** Node's own socket errors (pg and kafkajs pass them through): which address, and why. */
function socketFailure(e: AnyError, at: Endpoints): Failure | undefined {
  const errno = typeof e.code === 'string' ? e.code : undefined;
  if (!errno || !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(errno))
    return undefined;
  const text = firstLine(e.message);
  const port = /:(\d+)\b/.exec(text)?.[1];
  const service = [
    ['PostgreSQL', at.postgres, 'set --pg / AGENTSTORE_PG'],
    ['Redis', at.redis, 'set AGENTSTORE_REDIS'],
    ['Kafka', at.kafka, 'set AGENTSTORE_KAFKA'],
    ['the CQL server', at.cql, 'set --cql / AGENTSTORE_CQL'],
  ].find(([, url]) => port && url?.includes(`:${port}`));
  return {
    cause: `cannot reach ${service?.[0] ?? 'a service'}${service?.[1] ? ` at ${withoutCredentials(service[1])}` : ''} (${text})`,
    fix: `${SERVICES_FIX}${service ? `, or ${service[2]}` : ''}`,
    exitCode: 1,
  };
}

export function describeFailure(err: unknown, at: Endpoints = {}): Failure {
  if (err instanceof UsageError) return { cause: err.message, ...(err.fix ? { fix: err.fix } : {}), exitCode: 2 };
  if (err instanceof ValidationError) return { cause: err.message, exitCode: 2 };
  if (err instanceof MigrationChecksumError) return { cause: err.message, exitCode: 3 };
  if (err instanceof BackupRefusedError) return { cause: err.message, fix: err.fix, exitCode: 2 };
  if (err instanceof SchemaNotReadyError) {
    return {
      cause: err.message,
      fix: `run \`agentstore migrate --keyspace ${err.keyspace}\` first (it is safe to run while others do)`,
      exitCode: 2,
    };
  }
  const e = (err instanceof Error ? err : new Error(String(err))) as AnyError;
  const known =
    cqlFailure(e, at) ?? redisFailure(e, at) ?? kafkaFailure(e, at) ?? postgresFailure(e, at) ?? socketFailure(e, at);
  if (known) return known;
  // An AggregateError (e.g. a connect to both IPv4 and IPv6 of "localhost") says why in its first error.
  const inner = Array.isArray(e.errors) ? (e.errors[0] as AnyError | undefined) : undefined;
  if (inner) {
    const f = socketFailure(inner, at);
    if (f) return f;
  }
  return {
    cause: firstLine(e.message) || e.name,
    fix: 'none known: if it is not the environment, it is a bug; AGENTSTORE_DEBUG=1 prints the stack to report',
    exitCode: 1,
  };
}

/** The one line (two with the stack under AGENTSTORE_DEBUG) the CLI prints for a failure. */
export function renderFailure(f: Failure): string {
  return `error: ${f.cause}${f.fix ? `; fix: ${f.fix}` : ''}`;
}

/** The addresses a command line points at: its --cql/--keyspace/--pg flags, else the environment, else the local services. */
export function endpointsOf(
  argv: string[],
  env: NodeJS.ProcessEnv,
  local: Required<Omit<Endpoints, 'keyspace'>>,
): Endpoints {
  const flag = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 1) : argv[i + 1];
  };
  return {
    cql: flag('--cql') ?? readEnv(env, ENV.cql) ?? local.cql,
    keyspace: flag('--keyspace') ?? readEnv(env, ENV.keyspace) ?? ENV.keyspace.default,
    redis: readEnv(env, ENV.redis) ?? local.redis,
    kafka: readEnv(env, ENV.kafka) ?? local.kafka,
    postgres: flag('--pg') ?? readEnv(env, ENV.pg) ?? local.postgres,
  };
}
