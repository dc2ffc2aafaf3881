import { UsageError } from './settings.ts';
import { ENV, readEnv, type EnvVar } from './env.ts';
import { KEYSPACE_PATTERN } from '../schema/table.ts';

/**
 * Settings of the read side (projector, rebuild, Redis queries), from AGENTSTORE_* variables, checked
 * once at start: a wrong value stops the process with a message naming the variable, instead of a
 * connection error minutes later.
 */
export interface ReadSideConfig {
  /** Kafka bootstrap brokers, host:port list. */
  brokers: string[];
  redisUrl: string;
  /**
   * Redis AUTH password, kept out of the URL so that it never appears in logs or error messages
   * (the chart passes it from the Redis Secret). Undefined: the URL's own credentials, if any.
   */
  redisPassword: string | undefined;
  /** The connector's topic.prefix: topics are <topicPrefix>.<keyspace>.<table>. */
  topicPrefix: string;
  keyspace: string;
  /** Base consumer group; each read-model generation consumes as <group>.<generation>. */
  group: string;
  /** Base Redis key prefix; each generation's keys live under <keyPrefix>:<generation>:. */
  keyPrefix: string;
  /** Where unparseable or invalid events go, with the error in headers. */
  deadLetterTopic: string;
  metricsPort: number;
  /** Bytes fetched per partition per request: bounds a batch, so a shutdown or crash leaves little to redo. */
  fetchMaxBytes: number;
  /** How long the projector keeps trying to reach Kafka and Redis when it starts. */
  startupTimeoutMs: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

function need(
  env: NodeJS.ProcessEnv,
  spec: EnvVar & { default: string },
  ok: (v: string) => boolean,
  hint: string,
): string {
  const v = readEnv(env, spec) ?? spec.default;
  if (!ok(v)) throw new UsageError(`${spec.name}: "${v}" is not valid: ${hint}`);
  return v;
}

export function readSideConfig(env: NodeJS.ProcessEnv = process.env): ReadSideConfig {
  const brokers = need(
    env,
    ENV.kafka,
    (v) => v.split(',').every((b) => /^[A-Za-z0-9_.-]+:\d{1,5}$/.test(b.trim())),
    'give host:port[,host:port...] (e.g. 127.0.0.1:19092)',
  );
  const redisUrl = need(
    env,
    ENV.redis,
    (v) => /^rediss?:\/\/[^\s]+$/.test(v),
    'give a redis:// or rediss:// URL (e.g. redis://127.0.0.1:16379)',
  );
  const topicPrefix = need(
    env,
    ENV.topicPrefix,
    (v) => NAME.test(v),
    "letters, digits, . _ - (the connector's topic.prefix)",
  );
  const keyspace = need(
    env,
    ENV.keyspace,
    (v) => KEYSPACE_PATTERN.test(v),
    'a keyspace name (lower-case letters, digits, _)',
  );
  const group = need(env, ENV.consumerGroup, (v) => NAME.test(v), 'letters, digits, . _ -');
  const keyPrefix = need(
    env,
    ENV.redisPrefix,
    (v) => /^[A-Za-z0-9._-]{1,64}$/.test(v),
    'letters, digits, . _ - (no ":")',
  );
  const deadLetterTopic = need(
    env,
    { ...ENV.deadLetterTopic, default: `${topicPrefix}.dead-letter` },
    (v) => NAME.test(v),
    'a topic name',
  );
  const port = need(
    env,
    ENV.metricsPort,
    (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535,
    'a TCP port 0-65535 (0 picks a free one)',
  );
  const redisPassword = readEnv(env, ENV.redisPassword);
  if (redisPassword !== undefined && (redisPassword === '' || /[\r\n]/.test(redisPassword))) {
    throw new UsageError(
      'AGENTSTORE_REDIS_PASSWORD: is empty or spans lines: unset it for a Redis without AUTH, or give the password on one line',
    );
  }
  const fetch = need(env, ENV.fetchMaxBytes, (v) => /^\d{1,10}$/.test(v) && Number(v) >= 1024, 'a byte count >= 1024');
  const startup = need(
    env,
    ENV.startupTimeout,
    (v) => /^\d{1,6}$/.test(v) && Number(v) >= 1,
    'whole seconds, at least 1',
  );
  return {
    startupTimeoutMs: Number(startup) * 1000,
    fetchMaxBytes: Number(fetch),
    brokers: brokers.split(',').map((b) => b.trim()),
    redisUrl,
    redisPassword,
    topicPrefix,
    keyspace,
    group,
    keyPrefix,
    deadLetterTopic,
    metricsPort: Number(port),
  };
}
