import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CqlExecutor } from '../../src/cql/executor.ts';
import type { ReadSideConfig } from '../../src/config/read-side.ts';
import { silentLogger } from '../../src/log/log.ts';
import { rebuildFromCql } from '../../src/projector/rebuild-from-cql.ts';
import { runProjector } from '../../src/projector/run.ts';
import { currentGeneration, prefixOf, rebuildStateKey } from '../../src/readmodels/generation.ts';
import { RedisQueries } from '../../src/readmodels/queries.ts';
import { datasetSchedules, generateSessions, type SeedConfig, type SessionModel } from '../../src/seed/generator.ts';
import { scheduleStatements, seedStatements } from '../../src/seed/seeder.ts';
import { AgentStore } from '../../src/store/store.ts';
import { forEachBounded, forEachPhased } from '../../src/util/bounded.ts';
import { verify } from '../../src/verify/verify.ts';
import { runCli } from '../support/cli.ts';
import { cleanupReadSide, envOf, snapshot, testReadSide, waitCaughtUp } from '../support/readside.ts';
import { useStandinStack } from '../support/standin-stack.ts';

// The read models rebuilt from the CQL tables while writes go on: the scan's rows versioned by WRITETIME,
// then the changes since offsets taken before the scan; afterwards they equal the ground truth and a clean
// projection of the whole feed, key for key. Then kill -9 during a rebuild, and the rerun resumes.
const config: SeedConfig = { seed: 41, sessions: 90, accounts: 6, days: 8, endDate: '2026-10-15' };
const s = useStandinStack('recovery_rebuild');
const { ks, rs } = s;
const models = [...generateSessions(config)];
const before = models.slice(0, 50);
const during = models.slice(50);
// Erased while the rebuild runs: deletes in the middle of the scan.
const erasedIds = new Set([before[3]!, before[17]!, before[30]!].map((m) => m.session.sessionId));
/** A second read side on the same topics, projected once from the earliest offset: the reference. */
const reference: ReadSideConfig = { ...testReadSide('recovery_ref', ks), topicPrefix: rs.topicPrefix };

async function seedModels(exec: CqlExecutor, part: SessionModel[]): Promise<void> {
  const schedules = datasetSchedules(config);
  await forEachBounded(scheduleStatements(ks, schedules), 8, async (st) => void (await exec.run(st)));
  const progress = { sessions: 0, steps: 0, statements: 0 };
  await forEachPhased(seedStatements(ks, part, progress, schedules), 16, async (st) => void (await exec.run(st)));
}

/** A generation's keys and contents without its prefix; guards and the HyperLogLog aside (see the test). */
async function readModels(c: ReadSideConfig): Promise<Record<string, unknown>> {
  const prefix = prefixOf(c.keyPrefix, await currentGeneration(s.redis, c.keyPrefix));
  const snap = await snapshot(s.redis, prefix);
  return Object.fromEntries(
    Object.entries(snap)
      .map(([k, v]) => [k.slice(prefix.length), v] as const)
      .filter(([k]) => !k.startsWith(':g:') && !k.startsWith(':dau:')),
  );
}

/** The keys whose contents differ, each with both sides: a failure names what differs, not two whole snapshots. */
function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 300));
  return keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: rebuilt ${show(a[k])} / clean ${show(b[k])}`);
}

async function passesVerify(): Promise<void> {
  const report = await verify(new RedisQueries(s.redis, rs.keyPrefix), config, {
    samples: config.sessions,
    accountSamples: config.accounts,
    excluded: erasedIds,
  });
  expect(report.queries.filter((q) => q.failed).map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`)).toEqual(
    [],
  );
  expect(report.passed).toBe(true);
}

let projected: Promise<Record<string, unknown>> | undefined;
/** The reference's read models, projected once from the earliest offset after every write was made. */
function cleanProjection(): Promise<Record<string, unknown>> {
  projected ??= (async () => {
    const ref = await runProjector(reference, silentLogger);
    try {
      await waitCaughtUp(reference, s.redis);
    } finally {
      await ref.stop();
    }
    return readModels(reference);
  })();
  return projected;
}

afterAll(async () => {
  await cleanupReadSide(reference, s.redis);
});

describe('rebuild --from-cql', () => {
  it('under writes (seeding and erasures during the scan): the read models equal the ground truth and a clean projection', async () => {
    const standin = await s.openStandin();
    try {
      await seedModels(standin, before);
      await s.startProjector();
      await waitCaughtUp(rs, s.redis);
      // The live generation, projected from the feed, is replaced by one built from the tables.
      const old = prefixOf(rs.keyPrefix, await currentGeneration(s.redis, rs.keyPrefix));
      expect(Object.keys(await snapshot(s.redis, old)).length).toBeGreaterThan(100);

      const store = new AgentStore(standin, ks);
      let writer: Promise<void> | undefined;
      const slices: number[] = [];
      const result = await rebuildFromCql(rs, s.c.exec, silentLogger, {
        ranges: 16,
        pageSize: 50,
        graceMs: 2500,
        onSlice: async (done) => {
          slices.push(done);
          // Writes start after the offsets were taken and a few slices were applied, run alongside the
          // scan, and are all stored before its last slices are read.
          if (done === 3)
            writer = (async () => {
              for (const id of erasedIds) await store.eraseSession(id);
              await seedModels(standin, during);
            })();
          if (done === 40) await writer;
        },
      });
      expect(slices.at(-1)).toBe(64);
      expect(result.resumed).toBe(false);
      expect(result.rows).toBeGreaterThan(1000);
      expect(result.from).not.toBe(result.to);
      expect(await currentGeneration(s.redis, rs.keyPrefix)).toBe(result.to);
      // The old generation is gone, and so is the rebuild's state.
      expect(Object.keys(await snapshot(s.redis, old))).toEqual([]);
      expect(await s.redis.exists(rebuildStateKey(rs.keyPrefix))).toBe(0);
    } finally {
      await standin.close();
    }
    // The live projector followed the switch and consumes on.
    await waitCaughtUp(rs, s.redis);
    await passesVerify();

    const [rebuilt, clean] = [await readModels(rs), await cleanProjection()];
    expect(Object.keys(rebuilt).length).toBeGreaterThan(500);
    expect(differences(rebuilt, clean)).toEqual([]);
  }, 300_000);

  it('kill -9 during the scan, rerun: it resumes and ends correct', async () => {
    const args = [
      'rebuild',
      '--from-cql',
      '--keyspace',
      ks,
      '--ranges',
      '32',
      '--page-size',
      '20',
      '--grace-seconds',
      '1',
    ];
    // Slow enough (a rate limit) that the kill lands in the middle of the scan.
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../../bin/agentstore.js'), ...args, '--max-rows-per-second', '300'],
      {
        env: { ...process.env, ...envOf(rs) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const doneKey = `${rebuildStateKey(rs.keyPrefix)}:done`;
    let slicesAtKill = 0;
    for (let i = 0; i < 600 && slicesAtKill < 8; i++) {
      await new Promise((r) => setTimeout(r, 100));
      slicesAtKill = await s.redis.sCard(doneKey);
    }
    child.kill('SIGKILL');
    await exited;
    expect(slicesAtKill).toBeGreaterThanOrEqual(8);
    const state = await s.redis.hGetAll(rebuildStateKey(rs.keyPrefix));
    expect(state['phase']).toBe('scan');
    const live = await currentGeneration(s.redis, rs.keyPrefix);
    expect(state['from']).toBe(live);

    const rerun = await runCli(args, envOf(rs));
    expect(rerun.stderr.split('\n').filter((l) => l.includes('"level":"error"'))).toEqual([]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('(resumed)');
    expect(rerun.stdout).toContain(`generation ${live} -> ${state['to']}`);
    expect(await currentGeneration(s.redis, rs.keyPrefix)).toBe(state['to']);
    expect(await s.redis.exists([rebuildStateKey(rs.keyPrefix), doneKey])).toBe(0);
    await waitCaughtUp(rs, s.redis);
    await passesVerify();
    expect(differences(await readModels(rs), await cleanProjection())).toEqual([]);
  }, 300_000);
});
