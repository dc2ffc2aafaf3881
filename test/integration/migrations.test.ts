import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';
import { migrate, MigrationChecksumError, schemaVersion } from '../../src/migrations/runner.ts';
import { insertTurn } from '../../src/store/writes.ts';
import { connectTestCql, countRows, dropKeyspace, testKeyspace } from '../support/cql.ts';

let c: Connected;
const keyspaces: string[] = [];
const ks = (name: string) => {
  const k = testKeyspace(name);
  keyspaces.push(k);
  return k;
};
const opts = (keyspace: string) => ({
  exec: c.exec,
  keyspace,
  dialect: c.dialect,
  datacenter: 'datacenter1',
  replicationFactor: 1,
});

beforeAll(async () => {
  c = await connectTestCql();
});
afterAll(async () => {
  for (const k of keyspaces) await dropKeyspace(c, k);
  await c.exec.close();
});

describe('migrations on the real CQL server', () => {
  it('detects the Cassandra stand-in', () => {
    expect(c.dialect).toBe('cassandra');
    expect(c.serverVersion).toMatch(/^5\.0\./);
  });

  it('applies every migration to an empty keyspace, then finds nothing to do', async () => {
    const k = ks('empty');
    const first = await migrate(opts(k));
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await schemaVersion(c.exec, k)).toBe(MIGRATIONS.at(-1)!.version);
    const second = await migrate(opts(k));
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('lets two concurrent runs race: each migration is applied once, both succeed', async () => {
    const k = ks('race');
    const [a, b] = await Promise.all([migrate(opts(k)), migrate(opts(k))]);
    expect([...a.applied, ...b.applied].sort()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(a.version).toBe(b.version);
    expect(await countRows(c, k, 'schema_migrations')).toBe(MIGRATIONS.length);
  });

  it('refuses to continue when an applied migration was edited', async () => {
    const k = ks('edited');
    await migrate(opts(k));
    const edited = MIGRATIONS.map((m) => (m.version === 2 ? { ...m, name: 'agent version, renamed' } : m));
    await expect(migrate({ ...opts(k), migrations: edited })).rejects.toThrow(MigrationChecksumError);
    await expect(migrate({ ...opts(k), migrations: edited })).rejects.toThrow(
      /migration 2 .* was changed after it was applied/,
    );
  });

  it('a follow-up migration adds a query table and backfills it from existing rows', async () => {
    const k = ks('backfill');
    await migrate({ ...opts(k), target: 2 });
    expect(await schemaVersion(c.exec, k)).toBe(2);
    const at = new Date('2026-10-03T12:00:00Z');
    for (const [i, version] of ['v1', 'v1', 'v2', null].entries()) {
      const turn = {
        turnId: `t${i}`,
        sessionId: 's1',
        accountId: 'a1',
        role: version ? ('agent' as const) : ('human' as const),
        parentId: null,
        prompt: '',
        agentVersion: version,
        createdAt: at,
      };
      const w = insertTurn(k, turn, at);
      await c.exec.execute(w.query, w.params);
    }
    const result = await migrate({ ...opts(k), target: 3 });
    expect(result.applied).toEqual([3]);
    const v1 = await c.exec.execute(
      `SELECT count(*) AS n FROM ${k}.agent_turns_by_version_day WHERE agent_version = 'v1' AND day = '2026-10-03'`,
    );
    expect(Number(v1.rows[0]!['n'])).toBe(2);
    expect(await countRows(c, k, 'agent_turns_by_version_day')).toBe(3);
  });
});
