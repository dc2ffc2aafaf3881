// Addresses of the local services started by `make services-up` (scripts/services/main.ts).
// Single source of truth: the service scripts bind these and the CLI's defaults (settings.ts) use LOCAL.
// All on loopback and off the default ports, so a system-wide Cassandra/Redis/PostgreSQL/Kafka never collides.

export const HOST = '127.0.0.1';

export const PORTS = {
  cql: 19042, // Cassandra native protocol (default 9042)
  cassandraStorage: 17000, // Cassandra inter-node (default 7000); single node, but it still binds it
  cassandraJmx: 17199, // Cassandra JMX, bound to loopback only (default 7199)
  redis: 16379, // default 6379
  postgres: 15432, // default 5432
  kafka: 19092, // Kafka PLAINTEXT broker listener (default 9092)
  kafkaController: 19093, // KRaft controller listener (default 9093)
  s3: 18333, // S3-compatible server for backups (SeaweedFS's default is 8333; ours is moto, scripts/services/s3.ts)
} as const;

/** The local S3 server's bucket and keys (it accepts any; these are what the examples and the chart's test use). */
export const S3_LOCAL = {
  bucket: 'agentstore-backups',
  accessKey: 'agentstore',
  secretKey: 'agentstore-local',
} as const;

export const POSTGRES_USER = 'agentstore';
export const POSTGRES_DB = 'agentstore';

export const LOCAL = {
  cql: `${HOST}:${PORTS.cql}`,
  cqlDatacenter: 'datacenter1', // what SimpleSnitch reports; cassandra-driver needs it as localDataCenter
  redis: `redis://${HOST}:${PORTS.redis}`,
  postgres: `postgres://${POSTGRES_USER}@${HOST}:${PORTS.postgres}/${POSTGRES_DB}`,
  kafka: `${HOST}:${PORTS.kafka}`,
  s3: `http://${HOST}:${PORTS.s3}`,
} as const;
