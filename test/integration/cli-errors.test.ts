// Every command against the faults a user meets first: a keyspace that does not exist or is behind on
// migrations, a CQL server, Redis, Kafka or PostgreSQL that cannot be reached, a Redis that refuses the
// password. Each must end in one line naming the cause and the fix and a non-zero exit, never a stack
// trace. The servers are real: the local services, a closed port, and a Redis of this test's own.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/migrations/runner.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';
import type { Connected } from '../../src/cql/connect.ts';
import { freePort } from '../../src/util/free-port.ts';

const CLOSED = '127.0.0.1:1';
const missing = testKeyspace('nope'); // never created
const behind = testKeyspace('behind'); // migrated to version 2 only
const current = testKeyspace('current'); // fully migrated
let c: Connected;
let redis: ChildProcess | undefined;
let redisPort = 0;

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({
    exec: c.exec,
    keyspace: behind,
    dialect: c.dialect,
    datacenter: 'datacenter1',
    replicationFactor: 1,
    target: 2,
  });
  await migrate({
    exec: c.exec,
    keyspace: current,
    dialect: c.dialect,
    datacenter: 'datacenter1',
    replicationFactor: 1,
  });
  redisPort = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--requirepass', 'right', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50 && !(await portOpen(redisPort)); i++) await new Promise((r) => setTimeout(r, 100));
}, 60_000);

afterAll(async () => {
  redis?.kill();
  await dropKeyspace(c, behind);
  await dropKeyspace(c, current);
  await c.exec.close();
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** The one error line, checked: a cause, a fix, no stack trace, and the exit status. */
function expectOneLine(r: CliResult, exit: number, cause: RegExp, fix: RegExp): void {
  const context = `exit ${r.code}\n${r.stderr}`;
  expect(r.code, context).toBe(exit);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  expect(errors, context).toHaveLength(1);
  const [causePart, fixPart] = errors[0]!.slice('error: '.length).split('; fix: ');
  expect(causePart, context).toMatch(cause);
  expect(fixPart, context).toMatch(fix);
  expect(r.stderr, 'no stack trace').not.toMatch(/^\s+at .+[(:]\d+/m);
}

const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, {
    AGENTSTORE_KEYSPACE: undefined,
    AGENTSTORE_METRICS_PORT: '0',
    AGENTSTORE_STARTUP_TIMEOUT_S: '1',
    ...env,
  });
const dataset = ['--sessions', '3', '--accounts', '2'];

describe('a keyspace that is missing or behind on migrations', () => {
  const commands: [string, string[]][] = [
    ['verify', ['verify', ...dataset]],
    ['seed', ['seed', ...dataset]],
    ['cdc-probe', ['cdc-probe', '--writes', '1', '--timeout', '5']],
    ['pg-to-cql', ['pg-to-cql']],
  ];
  for (const [name, args] of commands) {
    it(`${name}: names the keyspace and says to migrate it, exit 2`, async () => {
      expectOneLine(
        await cli([...args, '--keyspace', missing]),
        2,
        new RegExp(`keyspace ${missing} has no agentstore schema`),
        new RegExp(`agentstore migrate --keyspace ${missing}`),
      );
      expectOneLine(
        await cli([...args, '--keyspace', behind]),
        2,
        new RegExp(`keyspace ${behind} is at schema version 2 of \\d+`),
        new RegExp(`agentstore migrate --keyspace ${behind}`),
      );
    });
  }
});

describe('a service that cannot be reached', () => {
  it('CQL: migrate, status, seed and verify name the address and how to start it, exit 1', async () => {
    for (const args of [['migrate'], ['status'], ['seed', ...dataset], ['verify', ...dataset]]) {
      expectOneLine(
        await cli([...args, '--cql', CLOSED]),
        1,
        /cannot reach the CQL server at 127\.0\.0\.1:1 \(.*ECONNREFUSED/,
        /make services-up.*AGENTSTORE_CQL/,
      );
    }
  });

  it('Redis: verify --read-models, cdc-probe, project and rebuild give up on a closed port, exit 1', async () => {
    const env = { AGENTSTORE_REDIS: `redis://${CLOSED}` };
    for (const args of [
      ['verify', '--read-models', ...dataset],
      ['cdc-probe', '--writes', '1'],
      ['project'],
      ['rebuild'],
    ]) {
      expectOneLine(
        await cli(args, env),
        1,
        /cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED/,
        /AGENTSTORE_REDIS/,
      );
    }
  });

  it('Kafka: the projector and the CDC stand-in name the brokers, exit 1', async () => {
    const env = { AGENTSTORE_KAFKA: CLOSED };
    for (const args of [['project'], ['seed', ...dataset, '--cdc-standin', '--keyspace', current]]) {
      expectOneLine(await cli(args, env), 1, /cannot reach Kafka at 127\.0\.0\.1:1/, /AGENTSTORE_KAFKA/);
    }
  });

  it('PostgreSQL: a closed port, a missing database and an unmigrated schema each say what to do', async () => {
    expectOneLine(
      await cli(['pg-verify', ...dataset], { AGENTSTORE_PG: `postgres://agentstore@${CLOSED}/agentstore` }),
      1,
      /cannot reach PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/agentstore/,
      /AGENTSTORE_PG/,
    );
    expectOneLine(
      await cli(['pg-verify', ...dataset, '--pg', 'postgres://agentstore@127.0.0.1:15432/no_such_db']),
      2,
      /database "no_such_db" does not exist/,
      /create the database/,
    );
    expectOneLine(await cli(['pg-verify', ...dataset, '--pg-schema', missing]), 2, /does not exist/, /pg-migrate/);
  });
});

describe('credentials a service refuses', () => {
  it('Redis with a wrong password, or none, says which variable holds it, exit 1', async () => {
    const url = `redis://127.0.0.1:${redisPort}`;
    for (const env of [
      { AGENTSTORE_REDIS: url, AGENTSTORE_REDIS_PASSWORD: 'wrong' },
      { AGENTSTORE_REDIS: url, AGENTSTORE_REDIS_PASSWORD: undefined },
    ]) {
      const r = await cli(['verify', '--read-models', ...dataset], env);
      expectOneLine(
        r,
        1,
        new RegExp(`Redis at ${url} refused the password \\((WRONGPASS|NOAUTH)`),
        /AGENTSTORE_REDIS_PASSWORD/,
      );
    }
    // And with the right one it gets past the login (the keyspace check is what stops it here).
    const ok = await cli(['verify', '--read-models', ...dataset], {
      AGENTSTORE_REDIS: url,
      AGENTSTORE_REDIS_PASSWORD: 'right',
    });
    expect(ok.stderr).not.toMatch(/refused the password/);
  });
});
