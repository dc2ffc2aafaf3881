import { DIALECTS, type Dialect } from '../cql/dialect.ts';
import { KEYSPACE_PATTERN } from '../schema/table.ts';
import { ENV, readEnv } from './env.ts';

/**
 * Where every connection setting comes from: a CLI flag, else an AGENTSTORE_* variable (src/config/env.ts),
 * else its default: the address of the local services started by `make services-up` (local-services.ts).
 */
export class UsageError extends Error {
  override name = 'UsageError';
  /** `fix`: what to do instead, when the message alone does not say. */
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

export interface CqlSettings {
  contactPoints: string;
  keyspace: string;
  dialect: Dialect | 'auto';
  localDataCenter: string;
  replicationFactor: number;
  username?: string;
  password?: string;
}

export interface CqlFlags {
  cql?: string;
  keyspace?: string;
  dialect?: string;
  datacenter?: string;
  replicationFactor?: string;
}

export function cqlSettings(flags: CqlFlags, env: NodeJS.ProcessEnv = process.env): CqlSettings {
  const contactPoints = flags.cql ?? readEnv(env, ENV.cql) ?? ENV.cql.default;
  for (const point of contactPoints.split(',')) {
    if (!/^[A-Za-z0-9_.-]+(:\d{1,5})?$/.test(point.trim())) {
      throw new UsageError(
        `--cql / AGENTSTORE_CQL: "${point}" is not host[:port] (e.g. 127.0.0.1:9042; separate several with commas)`,
      );
    }
  }
  const keyspace = flags.keyspace ?? readEnv(env, ENV.keyspace) ?? ENV.keyspace.default;
  if (!KEYSPACE_PATTERN.test(keyspace)) {
    throw new UsageError(
      `--keyspace / AGENTSTORE_KEYSPACE: "${keyspace}" is not a valid keyspace name (lower-case letters, digits, _; start with a letter)`,
    );
  }
  const dialect = flags.dialect ?? readEnv(env, ENV.dialect) ?? ENV.dialect.default;
  if (dialect !== 'auto' && !DIALECTS.includes(dialect as Dialect)) {
    throw new UsageError(`--dialect / AGENTSTORE_DIALECT: "${dialect}" is not one of auto, ${DIALECTS.join(', ')}`);
  }
  const rf = flags.replicationFactor ?? readEnv(env, ENV.replicationFactor) ?? ENV.replicationFactor.default;
  const username = readEnv(env, ENV.cqlUsername);
  const password = readEnv(env, ENV.cqlPassword);
  return {
    contactPoints,
    keyspace,
    dialect: dialect as Dialect | 'auto',
    localDataCenter: flags.datacenter ?? readEnv(env, ENV.datacenter) ?? ENV.datacenter.default,
    replicationFactor: intFlag('--replication-factor', rf, 1, 9),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/** Parses a whole-number flag and names the flag and the allowed range when it is wrong. */
export function intFlag(name: string, value: string | number, min: number, max: number): number {
  const n =
    typeof value === 'number' ? value : /^\d+$/.test(value.replace(/_/g, '')) ? Number(value.replace(/_/g, '')) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}

export function dayFlag(name: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`${name} must be a day written YYYY-MM-DD (got "${value}")`);
  }
  return value;
}
