import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError, ValidationError } from '../../src/domain/errors.ts';
import { freePort } from '../../src/util/free-port.ts';
import { migratePg } from '../../src/postgres/migrate.ts';
import { createStorage } from '../../src/storage/backend/factory.ts';
import type { Clock } from '../../src/storage/component.ts';
import { taskContextConformance } from '../../src/storage/conformance/context.ts';
import { conversationStoreConformance } from '../../src/storage/conformance/conversations.ts';
import { sessionStoreConformance } from '../../src/storage/conformance/sessions.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';

/** The conformance suites on the real PostgreSQL, in a schema of this file's own. */
const schema = testSchema('storage');
const maxValueBytes = 4096;
let pool: pg.Pool;

beforeAll(async () => {
  pool = await connectTestPg(schema);
  await migratePg(pool, schema);
});
afterAll(async () => {
  await closeTestPg(pool, schema);
});

const open = (clock: Clock) => createStorage({ backend: 'postgres', maxValueBytes, postgres: { pool } }, { clock });

conversationStoreConformance('postgres', open);
taskContextConformance('postgres', open, { maxValueBytes });
sessionStoreConformance('postgres', open);

describe('the PostgreSQL backend', () => {
  it('reports health per check and names a bad config field', async () => {
    const b = await open({ now: () => new Date() });
    const health = await b.health();
    expect(health.checks.map((x) => [x.name, x.ok])).toEqual([
      ['postgres', true],
      ['postgres schema', true],
    ]);
    const err = await createStorage({ backend: 'postgres', postgres: { url: 'mysql://x', schema: 's' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('postgres.url');
  });

  it('a refused append leaves no turn row behind (checked in the table)', async () => {
    const b = await open({ now: () => new Date() });
    await b.sessions.createSession({ sessionId: 'rb-s', accountId: 'rb-a', title: 'r' });
    await b.conversations.appendTurn({ sessionId: 'rb-s', turnId: 'rb-h', role: 'human', parentId: null, prompt: 'q' });
    await expect(
      b.conversations.appendTurn({ sessionId: 'rb-s', turnId: 'rb-h2', role: 'human', parentId: 'rb-h', prompt: 'q' }),
    ).rejects.toThrow(ValidationError);
    const rows = await pool.query(`SELECT count(*)::int AS n FROM human_turns WHERE session_uid = 'rb-s'`);
    expect(rows.rows[0].n).toBe(1);
  });

  it('a server that does not answer is an UnavailableError (retryable), from the real client', async () => {
    const port = await freePort();
    const b = await createStorage({
      backend: 'postgres',
      postgres: { url: `postgres://agentstore@127.0.0.1:${port}/agentstore`, schema: 'x' },
    });
    const err = await b.sessions.getSession('s').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).retryable).toBe(true);
    await b.close();
  });
});
