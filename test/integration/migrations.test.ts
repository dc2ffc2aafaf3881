import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';
import { migrate, MigrationChecksumError, schemaVersion } from '../../src/migrations/runner.ts';
import { StepType } from '../../src/domain/step-types.ts';
import { boundedWriteModel } from '../../src/migrations/004-bounded-write-model.ts';
import { generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { sessionStatements } from '../../src/seed/plan.ts';
import { replaySession } from '../../src/seed/replay.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import { AgentStore } from '../../src/store/store.ts';
import { insertTurn } from '../../src/store/writes.ts';
import { forEachBounded } from '../../src/util/bounded.ts';
import { verify } from '../../src/verify/verify.ts';
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

describe('migration 4 (the bounded write model) upgrades a keyspace in place', () => {
  // Data written at version 3: its base tables (which 4 keeps) through today's row layout, and the
  // old pending_inputs_by_account rows, one of them stale (answered since).
  const old: SeedConfig = { seed: 31, sessions: 200, accounts: 8, days: 10, endDate: '2026-10-15', churn: true };
  // A writer of this release, in another account set and window, replaying with races and rewrites.
  const live: SeedConfig = { seed: 32, sessions: 40, accounts: 4, days: 10, endDate: '2026-11-10', churn: true };
  const BASE = new Set(['sessions', 'turns', 'turns_by_session', 'steps_by_turn']);

  it('backfills from the base tables while a writer runs, drops the replaced tables, and every key query matches', async () => {
    const k = ks('upgrade');
    await migrate({ ...opts(k), target: 3 });
    const models = [...generateSessions(old)];
    // No bucketing schedules at version 3: every account has one bucket.
    for (const m of models)
      for (const phase of sessionStatements(k, m, () => 1))
        await Promise.all(phase.filter((s) => BASE.has(s.row?.table ?? '')).map((s) => c.exec.run(s)));
    const oldPending = `INSERT INTO ${k}.pending_inputs_by_account (account_id, session_id, turn_id, question, created_at) VALUES (?, ?, ?, ?, ?)`;
    let stale = 0;
    for (const m of models) {
      for (const s of m.steps.filter((s) => s.type === StepType.InputRequest)) {
        const open = m.pending.has(s.turnId);
        if (!open && stale++ > 20) continue;
        await c.exec.execute(oldPending, [
          s.accountId,
          s.sessionId,
          s.turnId,
          JSON.parse(s.content).question,
          s.createdAt,
        ]);
      }
    }
    expect(stale).toBeGreaterThan(0);

    // The writer starts when the backfill does (the new tables exist) and retries a failed session
    // (commands are idempotent), as an application's retry would.
    const store = new AgentStore(c.exec, k);
    let backfilling = false;
    let duringBackfill = 0;
    let started!: () => void;
    const backfillStarted = new Promise<void>((resolve) => (started = resolve));
    const writer = backfillStarted.then(() =>
      forEachBounded(generateSessions(live), 4, async (m) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await replaySession(store, m);
            if (backfilling) duringBackfill++;
            return;
          } catch (err) {
            if (attempt >= 20) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }),
    );
    const result = await migrate({
      ...opts(k),
      target: 4,
      log: (line) => {
        if (line.startsWith('backfill:') && !backfilling) ((backfilling = true), started());
      },
    });
    backfilling = false;
    await writer;
    expect(result.applied).toEqual([4]);
    expect(duringBackfill).toBeGreaterThan(0);

    const tables = await c.exec.execute(`SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?`, [k]);
    const names = tables.rows.map((r) => r['table_name'] as string);
    for (const dropped of boundedWriteModel.dropTables) expect(names).not.toContain(dropped);

    const queries = new CqlQueries(c.exec, k);
    for (const config of [old, live]) {
      const report = await verify(queries, config, { samples: 30, accountSamples: 4 });
      const failures = report.queries
        .filter((q) => q.failed)
        .map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`);
      expect(failures, `seed ${config.seed}`).toEqual([]);
    }
  });
});
