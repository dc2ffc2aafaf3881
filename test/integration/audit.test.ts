import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgSettings } from '../../src/postgres/connect.ts';
import { analyzeTables, loadSessions } from '../../src/postgres/load.ts';
import { migratePg } from '../../src/postgres/migrate.ts';
import { currentGeneration, prefixOf } from '../../src/readmodels/generation.ts';
import { Keys } from '../../src/readmodels/keys.ts';
import { generateSessions, type SeedConfig } from '../../src/seed/generator.ts';
import { seed } from '../../src/seed/seeder.ts';
import { runCli } from '../support/cli.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';
import { envOf, waitCaughtUp } from '../support/readside.ts';
import { useStandinStack } from '../support/standin-stack.ts';

// agentstore audit on the real services: clean data passes on Redis and PostgreSQL; a corrupted Redis
// key and a missing one are reported, exported as metrics, and fail the run.
const config: SeedConfig = { seed: 53, sessions: 60, accounts: 5, days: 8, endDate: '2026-10-15' };
const s = useStandinStack('recovery_audit');
const { ks, rs } = s;
const schema = testSchema('recovery_audit');
const models = [...generateSessions(config)];
let pool: pg.Pool;
let dir: string;

const auditArgs = (metrics: string, recheck = '0') => [
  'audit',
  '--keyspace',
  ks,
  '--sessions',
  '1000',
  '--accounts',
  '50',
  '--days',
  String(config.days),
  '--recheck-seconds',
  recheck,
  '--metrics-file',
  metrics,
  '--pg',
  pgSettings({}).url,
  '--pg-schema',
  schema,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recovery-audit-'));
  pool = await connectTestPg(schema);
  const standin = await s.openStandin();
  try {
    await seed(standin, ks, config, { concurrency: 32 });
  } finally {
    await standin.close();
  }
  await s.startProjector();
  await migratePg(pool, schema);
  await loadSessions(pool, models, { batchSessions: 30, concurrency: 2 });
  await analyzeTables(pool);
  await waitCaughtUp(rs, s.redis);
}, 180_000);
afterAll(async () => {
  await closeTestPg(pool, schema);
  await rm(dir, { recursive: true, force: true });
});

describe('agentstore audit', () => {
  it('clean data: every sampled key query agrees on CQL, Redis and PostgreSQL; exit 0; metrics say so', async () => {
    const file = join(dir, 'clean.prom');
    const r = await runCli(auditArgs(file), envOf(rs));
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`audited ${config.sessions} sessions`);
    expect(r.stdout).toContain('no divergence');
    expect(r.code).toBe(0);
    const metrics = await readFile(file, 'utf8');
    expect(metrics).toMatch(/^agentstore_audit_passed 1$/m);
    expect(metrics).toMatch(/^agentstore_audit_checks\{store="redis",query="P1"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^agentstore_audit_checks\{store="postgres",query="A5"\} [1-9]\d*$/m);
    expect(metrics).not.toMatch(/^agentstore_audit_divergences\{.*\} [1-9]/m);
  }, 120_000);

  it('a corrupted Redis key and a missing one are reported, exported and fail the run', async () => {
    const keys = new Keys(prefixOf(rs.keyPrefix, await currentGeneration(s.redis, rs.keyPrefix)));
    const [tampered, missing] = [models[7]!.session.sessionId, models[21]!.session.sessionId];
    expect(await s.redis.hSet(keys.session(tampered), 't', 'not the stored title')).toBe(0);
    expect(await s.redis.del(keys.timeline(missing))).toBe(1);
    const file = join(dir, 'corrupt.prom');
    const r = await runCli(auditArgs(file, '1'), envOf(rs));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`DIVERGENCE redis P5 (${tampered})`);
    expect(r.stdout).toContain('not the stored title');
    expect(r.stdout).toContain(`DIVERGENCE redis P1 (${missing})`);
    expect(r.stdout).not.toContain('DIVERGENCE postgres');
    const metrics = await readFile(file, 'utf8');
    expect(metrics).toMatch(/^agentstore_audit_passed 0$/m);
    expect(metrics).toMatch(/^agentstore_audit_divergences\{store="redis",query="P5"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^agentstore_audit_divergences\{store="redis",query="P1"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^agentstore_audit_divergences\{store="postgres",query="P1"\} 0$/m);
  }, 120_000);

  it('refuses a bad flag, naming it', async () => {
    const r = await runCli(['audit', '--keyspace', ks, '--sessions', '0'], envOf(rs));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sessions');
  });
});
