// Integration test of the local services: each one answers a real request, and `up` is a quick no-op when all
// are running. Like test/integration, it assumes the services are up (`make services-up`, which `make test` does).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import cassandraDriver from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { kafkaTool } from '../../scripts/services/kafka.ts';
import { REPO_ROOT, readPid } from '../../scripts/services/lib.ts';
import { HOST, LOCAL, PORTS, POSTGRES_DB, POSTGRES_USER } from '../../src/config/local-services.ts';

const q = $({ nothrow: true, quiet: true });
const SERVICES = ['cassandra', 'kafka', 'redis', 'postgres'];

describe('local services', () => {
  it('Cassandra answers CQL with a 5.0 release_version', async () => {
    const client = new cassandraDriver.Client({ contactPoints: [LOCAL.cql], localDataCenter: LOCAL.cqlDatacenter });
    try {
      const rs = await client.execute('SELECT release_version FROM system.local');
      expect(String(rs.first()?.get('release_version'))).toMatch(/^5\.0\./);
    } finally {
      await client.shutdown();
    }
  }, 30_000);

  it('Redis answers PING with PONG', async () => {
    const out = await q`redis-cli -h ${HOST} -p ${PORTS.redis} PING`;
    expect(out.stdout.trim()).toBe('PONG');
  });

  it('PostgreSQL answers SELECT 1 as the agentstore role in the agentstore database', async () => {
    const out = await q`psql ${LOCAL.postgres} -XtAc ${'SELECT 1, current_user, current_database()'}`;
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe(`1|${POSTGRES_USER}|${POSTGRES_DB}`);
  });

  it('Kafka lists a topic it just created', async () => {
    const topic = `services-test-${randomBytes(4).toString('hex')}`;
    const bootstrap = ['--bootstrap-server', LOCAL.kafka];
    const created = await kafkaTool('org.apache.kafka.tools.TopicCommand', [
      ...bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(created.exitCode, created.stderr).toBe(0);
    try {
      const listed = await kafkaTool('org.apache.kafka.tools.TopicCommand', [...bootstrap, '--list']);
      expect(listed.stdout.split('\n')).toContain(topic);
    } finally {
      await kafkaTool('org.apache.kafka.tools.TopicCommand', [...bootstrap, '--delete', '--topic', topic]);
    }
  }, 90_000);

  it('a second `up` is a no-op that leaves every pid unchanged', async () => {
    // A service this checkout started has a pid file; one borrowed from another checkout (see
    // main.ts: a second clone on the same machine) has none, and `up` must say it uses it.
    const before = await Promise.all(SERVICES.map(readPid));
    const out =
      await q`${path.join(REPO_ROOT, 'node_modules/.bin/tsx')} ${path.join(REPO_ROOT, 'scripts/services/main.ts')} up`;
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    SERVICES.forEach((name, i) => {
      expect(out.stdout).toContain(
        before[i] === undefined ? `[${name}] served on` : `[${name}] already running (pid ${before[i]})`,
      );
    });
    expect(await Promise.all(SERVICES.map(readPid))).toEqual(before);
  }, 60_000);
});
