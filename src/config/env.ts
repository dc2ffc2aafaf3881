import { LOG_LEVEL_VAR } from '../log/log.ts';
import { LOCAL } from './local-services.ts';

/**
 * Every AGENTSTORE_* variable agentstore reads, declared once: its name, the flag that overrides it,
 * its default, its former names, and (ENV_DOCS) what it is for. The parsers (settings.ts, read-side.ts, src/postgres/connect.ts)
 * read through these declarations, README.md's environment table is generated from them (`npm run
 * docs`), and test/unit/env.test.ts fails on any AGENTSTORE_* name in the repository that is not one.
 */
/** What reads a variable: the README table's sections. */
type Scope = 'CQL' | 'read side' | 'connector' | 'PostgreSQL' | 'backup' | 'CLI' | 'make manifests';

export interface EnvVar {
  readonly name: `AGENTSTORE_${string}`;
  readonly flag?: string;
  /** The value used when it is unset; none: no default. */
  readonly default?: string;
  /** Names it was documented under before; still read, with a deprecation warning. */
  readonly formerly?: readonly `AGENTSTORE_${string}`[];
}

export const ENV = {
  cql: {
    name: 'AGENTSTORE_CQL',
    flag: '--cql host[:port],...',
    default: LOCAL.cql,
  },
  keyspace: {
    name: 'AGENTSTORE_KEYSPACE',
    flag: '--keyspace',
    default: 'agentstore',
  },
  dialect: {
    name: 'AGENTSTORE_DIALECT',
    flag: '--dialect auto|scylla|cassandra',
    default: 'auto',
  },
  datacenter: {
    name: 'AGENTSTORE_DATACENTER',
    flag: '--datacenter',
    default: LOCAL.cqlDatacenter,
  },
  replicationFactor: {
    name: 'AGENTSTORE_REPLICATION_FACTOR',
    flag: '--replication-factor',
    default: '1',
  },
  cqlUsername: { name: 'AGENTSTORE_CQL_USERNAME' },
  cqlPassword: { name: 'AGENTSTORE_CQL_PASSWORD' },
  kafka: { name: 'AGENTSTORE_KAFKA', default: LOCAL.kafka },
  redis: {
    name: 'AGENTSTORE_REDIS',
    default: LOCAL.redis,
  },
  redisPassword: {
    name: 'AGENTSTORE_REDIS_PASSWORD',
  },
  topicPrefix: {
    name: 'AGENTSTORE_TOPIC_PREFIX',
    default: 'agentstore',
  },
  consumerGroup: {
    name: 'AGENTSTORE_CONSUMER_GROUP',
    default: 'agentstore-projector',
  },
  redisPrefix: {
    name: 'AGENTSTORE_REDIS_PREFIX',
    default: 'agentstore',
  },
  deadLetterTopic: {
    name: 'AGENTSTORE_DEAD_LETTER_TOPIC',
  },
  metricsPort: {
    name: 'AGENTSTORE_METRICS_PORT',
    default: '9464',
  },
  fetchMaxBytes: {
    name: 'AGENTSTORE_FETCH_MAX_BYTES',
    default: String(4 << 20),
  },
  startupTimeout: {
    name: 'AGENTSTORE_STARTUP_TIMEOUT_S',
    default: '300',
  },
  connectUrl: { name: 'AGENTSTORE_CONNECT_URL', flag: '--connect-url', default: 'http://127.0.0.1:8083' },
  connectorName: { name: 'AGENTSTORE_CONNECTOR_NAME', flag: '--name' },
  connectorConfig: { name: 'AGENTSTORE_CONNECTOR_CONFIG', flag: '--config' },
  pg: {
    name: 'AGENTSTORE_PG',
    flag: '--pg',
    default: LOCAL.postgres,
    formerly: ['AGENTSTORE_POSTGRES'],
  },
  pgSchema: {
    name: 'AGENTSTORE_PG_SCHEMA',
    flag: '--pg-schema',
    default: 'agentstore',
  },
  s3Endpoint: { name: 'AGENTSTORE_S3_ENDPOINT' },
  s3Region: { name: 'AGENTSTORE_S3_REGION', default: 'us-east-1' },
  logLevel: {
    name: LOG_LEVEL_VAR,
    default: 'info',
  },
  debug: { name: 'AGENTSTORE_DEBUG' },
  release: {
    name: 'AGENTSTORE_RELEASE',
    default: 'agentstore',
  },
  namespace: {
    name: 'AGENTSTORE_NAMESPACE',
    default: 'agentstore',
  },
  values: {
    name: 'AGENTSTORE_VALUES',
    default: 'values/kind.yaml',
  },
} as const satisfies Record<string, EnvVar>;

/**
 * What README.md's table says of each variable: who reads it, what it is for and, for a default
 * computed from other settings, how it is shown. Kept apart from ENV so the CLI bundle, which never
 * prints the table, does not carry the prose; the compiler keeps the two in step.
 */
const ENV_DOCS: Record<keyof typeof ENV, { scope: Scope; doc: string; shownDefault?: string }> = {
  cql: { scope: 'CQL', doc: 'CQL contact points' },
  keyspace: {
    scope: 'CQL',
    doc: 'keyspace of the write model (the read side: the keyspace whose CDC topics it consumes)',
  },
  dialect: { scope: 'CQL', doc: 'CQL dialect; auto detects ScyllaDB by its `system.versions` table' },
  datacenter: { scope: 'CQL', doc: 'local data-centre name' },
  replicationFactor: { scope: 'CQL', doc: 'replication factor of a keyspace `migrate` creates' },
  cqlUsername: { scope: 'CQL', doc: 'CQL user (password authentication)' },
  cqlPassword: { scope: 'CQL', doc: 'CQL password' },
  kafka: { scope: 'read side', doc: 'Kafka brokers, host:port,...' },
  redis: { scope: 'read side', doc: 'Redis URL (redis:// or rediss://)' },
  redisPassword: {
    scope: 'read side',
    doc: 'Redis AUTH password, kept out of the URL so that it never appears in logs',
  },
  topicPrefix: { scope: 'read side', doc: "the connector's topic.prefix: topics are `<prefix>.<keyspace>.<table>`" },
  consumerGroup: {
    scope: 'read side',
    doc: "the projector's base consumer group (one per read-model generation: `<group>.<generation>`)",
  },
  redisPrefix: { scope: 'read side', doc: 'base Redis key prefix of the read models (`<prefix>:<generation>:...`)' },
  deadLetterTopic: {
    scope: 'read side',
    shownDefault: '<AGENTSTORE_TOPIC_PREFIX>.dead-letter',
    doc: 'where unparseable or invalid change events go',
  },
  metricsPort: {
    scope: 'read side',
    doc: "the projector's `/metrics`, `/healthz`, `/readyz` port (0 picks a free one)",
  },
  fetchMaxBytes: {
    scope: 'read side',
    doc: "bytes the projector fetches per partition per request (bounds a batch's redo after a crash)",
  },
  startupTimeout: {
    scope: 'read side',
    doc: 'seconds the projector waits for Kafka and Redis at start (a rollout restarting them) before it exits',
  },
  connectUrl: { scope: 'connector', doc: 'the Kafka Connect REST API (`agentstore connector`)' },
  connectorName: { scope: 'connector', doc: 'the connector to register or watch (the chart: `connector.name`)' },
  connectorConfig: { scope: 'connector', doc: 'the connector properties, a JSON object (`connector register`)' },
  pg: { scope: 'PostgreSQL', doc: 'PostgreSQL URL of the relational baseline' },
  pgSchema: { scope: 'PostgreSQL', doc: 'schema holding the dataset' },
  s3Endpoint: {
    scope: 'backup',
    doc: 'S3-compatible endpoint of `backup --to s3://` and `restore --from s3://` (path-style; unset: AWS S3); keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
  },
  s3Region: { scope: 'backup', doc: 'region sent to the S3 endpoint' },
  logLevel: { scope: 'CLI', doc: 'JSON log threshold of the projector and rebuild: debug, info, warn, error' },
  debug: { scope: 'CLI', doc: 'set: a failing command also prints its stack trace' },
  release: { scope: 'make manifests', doc: 'the Helm release the Jobs run against' },
  namespace: { scope: 'make manifests', doc: 'its namespace' },
  values: { scope: 'make manifests', doc: 'the values files it was installed with, comma-separated' },
};

const warned = new Set<string>();

/** A variable's value: set under its name, else under a former name (warned about once), else undefined. */
export function readEnv(env: NodeJS.ProcessEnv, v: EnvVar): string | undefined {
  const value = env[v.name];
  if (value !== undefined) return value;
  for (const old of v.formerly ?? []) {
    if (env[old] === undefined) continue;
    if (!warned.has(old)) {
      warned.add(old);
      process.emitWarning(`${old} is deprecated: set ${v.name} instead (it is read for now)`, 'DeprecationWarning');
    }
    return env[old];
  }
  return undefined;
}

/** The help text's note on a flag: which variable it overrides, and the default. */
export const envNote = (v: EnvVar): string => `env ${v.name}${v.default === undefined ? '' : `; default ${v.default}`}`;

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** README.md's environment table (between the env markers). */
export function envMarkdown(): string {
  const rows = (Object.entries(ENV) as [keyof typeof ENV, EnvVar][]).map(([key, v]) => {
    const { scope, doc, shownDefault } = ENV_DOCS[key];
    const name = [`\`${v.name}\``, ...(v.formerly ?? []).map((o) => `(formerly \`${o}\`, deprecated)`)].join(' ');
    const shown = shownDefault ?? v.default;
    return `| ${scope} | ${name} | ${v.flag ? `\`${cell(v.flag)}\`` : ''} | ${shown === undefined ? 'none' : `\`${cell(shown)}\``} | ${cell(doc)} |`;
  });
  return ['| for | variable | flag | default | what |', '|---|---|---|---|---|', ...rows].join('\n');
}
