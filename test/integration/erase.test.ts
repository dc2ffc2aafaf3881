import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CqlAnalytics } from '../../src/analytics/cql.ts';
import { AnalyticsTruth } from '../../src/analytics/ground-truth.ts';
import { PgAnalytics } from '../../src/analytics/pg.ts';
import { RedisAnalytics } from '../../src/analytics/redis.ts';
import type { AnalyticsQueries } from '../../src/analytics/types.ts';
import type { KeyQueries } from '../../src/domain/queries.ts';
import { currentTables } from '../../src/migrations/catalog.ts';
import { pgSettings } from '../../src/postgres/connect.ts';
import { eraseSessionPg } from '../../src/postgres/erase.ts';
import { analyzeTables, loadSessions } from '../../src/postgres/load.ts';
import { migratePg } from '../../src/postgres/migrate.ts';
import { PgQueries } from '../../src/postgres/queries.ts';
import { currentGeneration, prefixOf } from '../../src/readmodels/generation.ts';
import { RedisQueries } from '../../src/readmodels/queries.ts';
import {
  accountIdOf,
  AGENT_VERSIONS,
  generateSessions,
  windowDays,
  type SeedConfig,
  type SessionModel,
} from '../../src/seed/generator.ts';
import { seed } from '../../src/seed/seeder.ts';
import { CqlQueries } from '../../src/store/queries.ts';
import type { CqlExecutor } from '../../src/cql/executor.ts';
import { AgentStore } from '../../src/store/store.ts';
import { withoutSessions } from '../../src/verify/ground-truth.ts';
import { verify } from '../../src/verify/verify.ts';
import { runCli } from '../support/cli.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';
import { envOf, snapshot, waitCaughtUp } from '../support/readside.ts';
import { useStandinStack } from '../support/standin-stack.ts';

// Erasure end to end: CQL rows deleted by key, the deletes through the CDC stand-in into Redis, the
// PostgreSQL baseline; afterwards every key query and analytic equals the truth without those sessions.
const config: SeedConfig = { seed: 31, sessions: 120, accounts: 6, days: 8, endDate: '2026-10-15' };
const s = useStandinStack('recovery_erase');
const { ks, rs } = s;
const schema = testSchema('recovery_erase');
const models = [...generateSessions(config)];
let pool: pg.Pool;

/** Sessions that reach every kind of row: an open question, classifier verdicts, a bucketed account, a plain one. */
function pickSessions(): SessionModel[] {
  const picked = new Map<string, SessionModel>();
  const take = (f: (m: SessionModel) => boolean) => {
    const m = models.find((x) => f(x) && !picked.has(x.session.sessionId));
    if (m) picked.set(m.session.sessionId, m);
  };
  take((m) => m.pending.size > 0);
  take((m) => m.pending.size > 0 && m.session.accountId === accountIdOf(config, 0));
  take((m) => m.steps.some((x) => x.type === 12 || x.type === 11) && m.session.accountId === accountIdOf(config, 1));
  take((m) => m.turns.some((t) => t.agentVersion) && m.session.accountId === accountIdOf(config, 3));
  take((m) => m.superseded.length > 0);
  return [...picked.values()];
}
const erased = pickSessions();
const erasedIds = new Set(erased.map((m) => m.session.sessionId));
// The last one goes through the CLI.
const cliErased = erased.at(-1)!;

const ids = new Set([...erasedIds, ...erased.flatMap((m) => m.turns.map((t) => t.turnId))]);
/** Whether a value names one of the ids as a whole token (ids are letters, digits and _; never a prefix match). */
const mentions = (v: unknown): boolean =>
  (JSON.stringify(v) ?? '').split(/[^A-Za-z0-9_]+/).some((token) => ids.has(token));

beforeAll(async () => {
  pool = await connectTestPg(schema);
  const standin = await s.openStandin();
  try {
    await seed(standin, ks, config, { concurrency: 32 });
  } finally {
    await standin.close();
  }
  await s.startProjector();
  await migratePg(pool, schema);
  await loadSessions(pool, models, { batchSessions: 40, concurrency: 2 });
  await analyzeTables(pool);
  await waitCaughtUp(rs, s.redis);
  // Before: the sessions are there, on every side.
  for (const m of erased) {
    expect(await new CqlQueries(s.c.exec, ks).sessionSummary(m.session.sessionId)).not.toBeNull();
    expect(await new RedisQueries(s.redis, rs.keyPrefix).sessionSummary(m.session.sessionId)).not.toBeNull();
  }

  const standin2 = await s.openStandin();
  try {
    const store = new AgentStore(standin2, ks);
    for (const m of erased.slice(0, -1)) {
      const r = await store.eraseSession(m.session.sessionId);
      expect(r.found).toBe(true);
      expect(r.turns).toBe(m.turns.length);
      expect((await eraseSessionPg(pool, m.session.sessionId)).found).toBe(true);
    }
    // A second erasure finds nothing and changes nothing.
    const again = await store.eraseSession(erased[0]!.session.sessionId);
    expect(again).toMatchObject({ found: false, turns: 0, deletes: {} });
    expect((await eraseSessionPg(pool, erased[0]!.session.sessionId)).found).toBe(false);
  } finally {
    await standin2.close();
  }
  const cli = await runCli(
    [
      'erase',
      '--keyspace',
      ks,
      '--cdc-standin',
      '--session',
      cliErased.session.sessionId,
      '--pg',
      pgSettings({}).url,
      '--pg-schema',
      schema,
    ],
    envOf(rs),
  );
  expect(cli.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain(`erased session ${cliErased.session.sessionId} from ${ks}`);
  expect(cli.stdout).toContain(`erased session ${cliErased.session.sessionId} from PostgreSQL`);
  await waitCaughtUp(rs, s.redis);
}, 240_000);

afterAll(async () => {
  await closeTestPg(pool, schema);
});

describe('erasing sessions', () => {
  it('picks sessions that reach every kind of row', () => {
    expect(erased.length).toBe(5);
    expect(erased.some((m) => m.pending.size > 0)).toBe(true);
  });

  it.each([
    ['cql', () => new CqlQueries(s.c.exec, ks)],
    ['redis', () => new RedisQueries(s.redis, rs.keyPrefix)],
    ['postgres', () => new PgQueries(pool)],
  ] as [string, () => KeyQueries][])(
    '%s: every key query equals the ground truth without the erased sessions',
    async (_name, store) => {
      const report = await verify(store(), config, {
        samples: config.sessions,
        accountSamples: config.accounts,
        excluded: erasedIds,
      });
      expect(
        report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`),
      ).toEqual([]);
      expect(report.passed).toBe(true);
      // The erased sessions were among the checks, answering empty.
      for (const m of erased) expect(await store().sessionSummary(m.session.sessionId)).toBeNull();
      // And the same truth with them would not pass: the check can fail.
      const withThem = await verify(store(), config, { samples: config.sessions, accountSamples: config.accounts });
      expect(withThem.passed).toBe(false);
    },
  );

  it('every analytic on CQL, Redis and PostgreSQL equals the ground truth without the erased sessions', async () => {
    const truth = new AnalyticsTruth(withoutSessions(models, erasedIds));
    const stores: [string, AnalyticsQueries][] = [
      ['cql', new CqlAnalytics(s.c.exec, ks)],
      ['redis', new RedisAnalytics(s.redis, rs.keyPrefix)],
      ['postgres', new PgAnalytics(pool)],
    ];
    const days = windowDays(config);
    const accounts = [...new Set(erased.map((m) => m.session.accountId))];
    const versions = [...AGENT_VERSIONS];
    for (const [name, store] of stores) {
      expect(await store.versionRegression(versions, days), name).toEqual(
        await truth.versionRegression(versions, days),
      );
      for (const a of accounts) {
        for (const type of [null, 'Text'] as const)
          expect(await store.timeToFirstStep(a, days, type), `${name} ${a} ${type}`).toEqual(
            await truth.timeToFirstStep(a, days, type),
          );
        expect(await store.scoreHistogram(a, days, 'bug_report', 10), `${name} ${a}`).toEqual(
          await truth.scoreHistogram(a, days, 'bug_report', 10),
        );
      }
    }
    // Without the exclusion the truth differs: the erased sessions counted in these analytics.
    expect(await new AnalyticsTruth(models).versionRegression(versions, days)).not.toEqual(
      await truth.versionRegression(versions, days),
    );
  });

  it('no CQL row of any table names an erased session or turn', async () => {
    const left: string[] = [];
    for (const t of currentTables()) {
      const page = await s.c.exec.execute(`SELECT * FROM ${ks}.${t.name}`, [], { fetchSize: 100_000 });
      for (const row of page.rows) if (mentions(row)) left.push(`${t.name} ${JSON.stringify(row).slice(0, 160)}`);
    }
    expect(left).toEqual([]);
  });

  it('no Redis read-model key or entry names an erased session or turn (version-guard fences aside)', async () => {
    const generation = await currentGeneration(s.redis, rs.keyPrefix);
    const prefix = prefixOf(rs.keyPrefix, generation);
    const snap = await snapshot(s.redis, prefix);
    const left = Object.entries(snap)
      .filter(([k]) => !k.startsWith(`${prefix}:g:`))
      .filter(([k, v]) => mentions(k) || mentions(v))
      .map(([k]) => k);
    expect(left).toEqual([]);
    // The fences are there: a redelivered insert of an erased row is refused.
    expect(Object.keys(snap).some((k) => k.startsWith(`${prefix}:g:sessions:`) && mentions(k))).toBe(true);
  });

  it('deletes the turns_by_session partition only after its rows, so every row delete still sees its preimage', async () => {
    // A row delete that ran beside the partition delete could find its row gone: its change event would
    // carry no preimage, and the read-model entries the row made would outlive the erasure.
    const victim = models.find((m) => !erasedIds.has(m.session.sessionId) && m.turns.length >= 3)!;
    const events: string[] = [];
    const rowDelete = `DELETE FROM ${ks}.turns_by_session`;
    const slow: CqlExecutor = {
      execute: (q, p, o) => s.c.exec.execute(q, p, o),
      batch: (st) => s.c.exec.batch(st),
      run: async (st, o) => {
        if (!st.query.startsWith(rowDelete)) return s.c.exec.run(st, o);
        const whole = !st.query.includes('turn_id');
        events.push(whole ? 'partition start' : 'row start');
        // Rows are slow, so a partition delete issued beside them would start first.
        if (!whole) await new Promise((r) => setTimeout(r, 150));
        const r = await s.c.exec.run(st, o);
        events.push(whole ? 'partition done' : 'row done');
        return r;
      },
    };
    const r = await new AgentStore(slow, ks).eraseSession(victim.session.sessionId);
    expect(r.found).toBe(true);
    expect(r.deletes['turns_by_session']).toBe(victim.turns.length + 1);
    expect(events.filter((e) => e === 'row done')).toHaveLength(victim.turns.length);
    expect(events.indexOf('partition start')).toBe(events.lastIndexOf('row done') + 1);
  });

  it('refuses a call without a session, naming the flag', async () => {
    const r = await runCli(['erase', '--keyspace', ks], envOf(rs));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: --session: .*fix|error: --session/);
  });
});
