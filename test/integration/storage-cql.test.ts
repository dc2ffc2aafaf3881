import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { UnavailableError, ValidationError } from '../../src/domain/errors.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { createStorage } from '../../src/storage/backend/factory.ts';
import type { Clock } from '../../src/storage/component.ts';
import { taskContextConformance } from '../../src/storage/conformance/context.ts';
import { conversationStoreConformance } from '../../src/storage/conformance/conversations.ts';
import { sessionStoreConformance } from '../../src/storage/conformance/sessions.ts';
import { freePort } from '../../src/util/free-port.ts';
import { connectTestCql, countAll, countRows, dropKeyspace, testKeyspace } from '../support/cql.ts';

/** The conformance suites on the real CQL server (Cassandra 5, the local stand-in for ScyllaDB). */
let c: Connected;
const keyspace = testKeyspace('storage');
const maxValueBytes = 4096;

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({ exec: c.exec, keyspace, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
});
afterAll(async () => {
  await dropKeyspace(c, keyspace);
  await c.exec.close();
});

const open = (clock: Clock) =>
  createStorage({ backend: 'cql', keyspace, maxValueBytes, cql: { exec: c.exec, dialect: c.dialect } }, { clock });

conversationStoreConformance('cql', open);
taskContextConformance('cql', open, { maxValueBytes });
sessionStoreConformance('cql', open);

describe('the CQL backend', () => {
  it('reports health per check, and refuses a keyspace that is not migrated', async () => {
    const b = await open({ now: () => new Date() });
    const health = await b.health();
    expect(health.status).toBe('ok');
    expect(health.checks.map((x) => [x.name, x.ok])).toEqual([
      ['cql', true],
      ['cql schema', true],
    ]);
    const missing = await createStorage({
      backend: 'cql',
      keyspace: 't_storage_absent',
      cql: { exec: c.exec, dialect: c.dialect },
    });
    await expect(missing.init()).rejects.toThrow(/t_storage_absent has no agentstore schema/);
    expect((await missing.health()).status).toBe('down');
  });

  it('a replayed completion writes one row: metrics come from the bounded partition, not counters', async () => {
    const b = await open({ now: () => new Date() });
    await b.sessions.createSession({ sessionId: 'replay-s', accountId: 'replay-a', title: 'r' });
    await b.conversations.appendTurn({
      sessionId: 'replay-s',
      turnId: 'replay-h',
      role: 'human',
      parentId: null,
      prompt: 'q',
    });
    await b.conversations.appendTurn({
      sessionId: 'replay-s',
      turnId: 'replay-g',
      role: 'agent',
      parentId: 'replay-h',
    });
    for (let i = 0; i < 3; i++) await b.conversations.completeTurn({ turnId: 'replay-g', status: 'ok', tokensIn: 4 });
    expect(await countRows(c, keyspace, 'turn_completions_by_session')).toBeGreaterThanOrEqual(1);
    const rows = await c.exec.execute(
      `SELECT turn_id FROM ${keyspace}.turn_completions_by_session WHERE session_id = 'replay-s'`,
    );
    expect(rows.rows).toEqual([{ turn_id: 'replay-g' }]);
    expect((await b.sessions.metrics('replay-s')).tokensIn).toBe(4);
  });
});

describe('the CQL backend after refused calls', () => {
  it('leaves every table as it was: bad input, a missing session, a stale version, a value too large', async () => {
    const b = await open({ now: () => new Date() });
    await b.sessions.createSession({ sessionId: 'bad-s', accountId: 'bad-a', title: 't' });
    await b.conversations.appendTurn({
      sessionId: 'bad-s',
      turnId: 'bad-h',
      role: 'human',
      parentId: null,
      prompt: 'q',
    });
    await b.context.put({ kind: 'task', id: 'bad-t' }, 'k', 1);
    const before = await countAll(c, keyspace);
    const refused = [
      () => b.sessions.createSession({ sessionId: '', accountId: 'bad-a', title: 't' }),
      () => b.sessions.createSession({ sessionId: 'bad-s', accountId: 'other', title: 't' }),
      () => b.sessions.endSession('bad-missing', 'completed'),
      () =>
        b.conversations.appendTurn({
          sessionId: 'bad-missing',
          turnId: 'bad-h2',
          role: 'human',
          parentId: null,
          prompt: 'q',
        }),
      () =>
        b.conversations.appendTurn({
          sessionId: 'bad-s',
          turnId: 'bad-h3',
          role: 'human',
          parentId: 'bad-h',
          prompt: 'q',
        }),
      () => b.conversations.completeTurn({ turnId: 'bad-h', status: 'ok' }),
      () => b.context.put({ kind: 'task', id: 'bad-t' }, 'k', 2, { expectedVersion: 7 }),
      () => b.context.put({ kind: 'task', id: 'bad-t' }, 'k', 'x'.repeat(maxValueBytes)),
    ];
    for (const call of refused) await expect(call()).rejects.toBeInstanceOf(ValidationError);
    expect(await countAll(c, keyspace)).toEqual(before);
  });

  it('a server that does not answer is an UnavailableError (retryable), from the real driver', async () => {
    const port = await freePort();
    const err = await createStorage({
      backend: 'cql',
      keyspace,
      cql: { contactPoints: `127.0.0.1:${port}`, localDataCenter: 'datacenter1', dialect: 'cassandra' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).retryable).toBe(true);
  });
});
