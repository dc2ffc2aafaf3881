import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { migrate, schemaVersion } from '../../src/migrations/runner.ts';
import { LATEST_VERSION } from '../../src/migrations/index.ts';
import { seed } from '../../src/seed/seeder.ts';
import { repoPath } from '../../src/util/repo.ts';
import { runCli } from '../support/cli.ts';
import { connectTestCql, countAll, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';

// Small enough for a shared 2-core machine; 8 ranges a table still gives a kill something to interrupt.
const DATASET = ['--seed', '7', '--sessions', '60', '--accounts', '8', '--days', '7', '--end-date', '2026-11-01'];
const config = { seed: 7, sessions: 60, accounts: 8, days: 7, endDate: '2026-11-01' };
const source = testKeyspace('backup_src');
const created: string[] = [source];
const ks = (name: string): string => {
  const k = testKeyspace(`backup_${name}`);
  created.push(k);
  return k;
};
let c: Connected;
let dir: string;
let s3: TestS3;
const fileUrl = (name: string): string => pathToFileURL(join(dir, name)).href;

beforeAll(async () => {
  c = await connectTestCql();
  dir = await mkdtemp(join(tmpdir(), 'agentstore-backup-'));
  await migrate({
    exec: c.exec,
    keyspace: source,
    dialect: c.dialect,
    datacenter: 'datacenter1',
    replicationFactor: 1,
  });
  await seed(c.exec, source, config, { concurrency: 8 });
  s3 = await startTestS3();
  await s3.createBucket('backup-test');
}, 240_000);

afterAll(async () => {
  for (const k of created) await dropKeyspace(c, k);
  await c.exec.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
}, 120_000);

async function manifestOf(
  url: string,
): Promise<{ id: string; rows: Record<string, number>; parts: { key: string; sha256: string }[] }> {
  const root = new URL(url).pathname;
  const id = (await readdir(root))
    .filter((d) => d.startsWith(source))
    .sort()
    .at(-1)!;
  return JSON.parse(await readFile(join(root, id, 'manifest.json'), 'utf8'));
}

/** Starts the CLI, SIGKILLs it once `ready` says it is under way, and waits for it to die. */
async function killMidway(args: string[], ready: () => Promise<boolean>, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [repoPath('bin/agentstore.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let killed = false;
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    if (await ready()) {
      child.kill('SIGKILL');
      killed = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await exited;
  return killed;
}

describe('backup and restore on the real CQL server', () => {
  it('backs up to a folder, restores into a new keyspace, and verify passes there', async () => {
    const to = fileUrl('folder');
    const b = await runCli(['backup', '--keyspace', source, '--to', to, '--ranges', '8']);
    expect(b.stderr + b.stdout).toContain('backup ');
    expect(b.code).toBe(0);
    const m = await manifestOf(to);
    const counts = await countAll(c, source);
    expect(m.rows).toEqual(counts);

    const target = ks('file');
    const r = await runCli(['restore', '--from', to, '--keyspace', target]);
    expect(r.stdout + r.stderr).toContain('counts and checksums match the manifest');
    expect(r.code).toBe(0);
    expect(await countAll(c, target)).toEqual(counts);
    const v = await runCli(['verify', '--keyspace', target, ...DATASET]);
    expect(v.stdout).toContain('all key queries match the ground truth');
    expect(v.code).toBe(0);
  }, 600_000);

  it('backs up to the S3 server and restores from it; verify passes', async () => {
    const to = 's3://backup-test/nightly';
    const b = await runCli(['backup', '--keyspace', source, '--to', to, '--ranges', '4'], s3.env);
    expect(b.code, b.stderr).toBe(0);
    const target = ks('s3');
    const r = await runCli(['restore', '--from', to, '--keyspace', target], s3.env);
    expect(r.code, r.stderr).toBe(0);
    expect(await countAll(c, target)).toEqual(await countAll(c, source));
    const v = await runCli(['verify', '--keyspace', target, ...DATASET]);
    expect(v.code, v.stdout).toBe(0);
  }, 600_000);

  it('kill -9 during a backup, then the rerun resumes the unfinished one and ends complete', async () => {
    const to = fileUrl('killed');
    const root = new URL(to).pathname;
    const partsDone = async () => {
      const ids = await readdir(root).catch(() => []);
      if (!ids.length) return 0;
      const files = await readdir(join(root, ids[0]!), { recursive: true }).catch(() => []);
      return files.filter((f) => String(f).endsWith('.json') && String(f).includes('parts/')).length;
    };
    const killed = await killMidway(
      ['backup', '--keyspace', source, '--to', to, '--ranges', '16', '--concurrency', '1', '--rate', '300'],
      async () => (await partsDone()) >= 3,
    );
    expect(killed).toBe(true);
    const before = await partsDone();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(16 * 10);
    const again = await runCli(['backup', '--keyspace', source, '--to', to, '--ranges', '16']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resuming backup/);
    expect(again.stdout).toMatch(new RegExp(`${before} parts resumed`));
    expect((await readdir(root)).length).toBe(1);
    expect((await manifestOf(to)).rows).toEqual(await countAll(c, source));
  }, 600_000);

  it('kill -9 during a restore, then the rerun resumes from its journal and ends correct', async () => {
    const from = fileUrl('folder');
    const target = ks('killrestore');
    const journalRows = async () => {
      try {
        const page = await c.exec.execute(`SELECT count(*) AS n FROM ${target}.backup_restore_journal`);
        return Number(page.rows[0]?.['n'] ?? 0);
      } catch {
        return 0;
      }
    };
    const killed = await killMidway(
      ['restore', '--from', from, '--keyspace', target, '--concurrency', '2'],
      async () => (await journalRows()) >= 3,
    );
    expect(killed).toBe(true);
    const again = await runCli(['restore', '--from', from, '--keyspace', target]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resumed\)/);
    expect(await countAll(c, target)).toEqual(await countAll(c, source));
  }, 600_000);

  it('a corrupted part fails the restore, naming the part and its checksum', async () => {
    const copy = join(dir, 'corrupt');
    await cp(join(dir, 'folder'), copy, { recursive: true });
    const m = await manifestOf(pathToFileURL(copy).href);
    const part = m.parts[3]!;
    const file = join(copy, part.key);
    const bytes = await readFile(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await writeFile(file, bytes);
    const r = await runCli(['restore', '--from', pathToFileURL(copy).href, '--keyspace', ks('corrupt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`part ${part.key}`);
    expect(r.stderr).toContain(`the manifest says ${part.sha256}`);
    expect(r.stderr).toMatch(/fix: restore from another backup/);
  }, 300_000);

  it('refuses a target that already holds rows', async () => {
    const r = await runCli(['restore', '--from', fileUrl('folder'), '--keyspace', source]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not empty \(table \w+ has rows\); fix: .*--force/);
  }, 120_000);
});

describe('a backup at another schema version, with hand-set write times and TTLs', () => {
  it("restores only with --accept-schema-version, keeping each cell's write time and TTL; --keep prunes", async () => {
    const old = ks('v3');
    await migrate({
      exec: c.exec,
      keyspace: old,
      dialect: c.dialect,
      datacenter: 'datacenter1',
      replicationFactor: 1,
      target: 3,
    });
    // Two cells of one row written at different times, one of them expiring; and a static-only partition.
    await c.exec.execute(
      `INSERT INTO ${old}.sessions (session_id, account_id, title) VALUES ('s1', 'a1', 't') USING TIMESTAMP 1000 AND TTL 86400`,
    );
    await c.exec.execute(`UPDATE ${old}.sessions USING TIMESTAMP 2000 SET account_id = 'a2' WHERE session_id = 's1'`);
    await c.exec.execute(
      `INSERT INTO ${old}.turns_by_session (session_id, active_root) VALUES ('s1', 'r1') USING TIMESTAMP 3000`,
    );
    const to = pathToFileURL(join(dir, 'v3')).href;
    expect((await runCli(['backup', '--keyspace', old, '--to', to, '--ranges', '2'])).code).toBe(0);

    const target = ks('v3r');
    const refused = await runCli(['restore', '--from', to, '--keyspace', target]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`is at schema version 3, this build's latest is ${LATEST_VERSION}`);
    expect(refused.stderr).toContain('--accept-schema-version 3');
    expect(await schemaVersion(c.exec, target)).toBe(0);

    const r = await runCli(['restore', '--from', to, '--keyspace', target, '--accept-schema-version', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(await schemaVersion(c.exec, target)).toBe(3);
    const row = (
      await c.exec.execute(
        `SELECT account_id, title, WRITETIME(account_id) AS wa, WRITETIME(title) AS wt, TTL(title) AS tt, TTL(account_id) AS ta FROM ${target}.sessions WHERE session_id = 's1'`,
      )
    ).rows[0]!;
    expect(row).toMatchObject({ account_id: 'a2', title: 't', wa: 2000, wt: 1000, ta: null });
    expect(row['tt']).toBeGreaterThan(86_000);
    expect(row['tt']).toBeLessThanOrEqual(86_400);
    const statics = (
      await c.exec.execute(
        `SELECT active_root, WRITETIME(active_root) AS w FROM ${target}.turns_by_session WHERE session_id = 's1'`,
      )
    ).rows;
    expect(statics).toEqual([{ active_root: 'r1', w: 3000 }]);

    // Retention: two more backups with --keep 2 leave the newest two, and say which went.
    expect((await runCli(['backup', '--keyspace', old, '--to', to, '--ranges', '2'])).code).toBe(0);
    const third = await runCli(['backup', '--keyspace', old, '--to', to, '--ranges', '2', '--keep', '2']);
    expect(third.code, third.stderr).toBe(0);
    const kept = (await readdir(new URL(to).pathname)).sort();
    expect(kept).toHaveLength(2);
    expect(third.stdout).toMatch(new RegExp(`deleted ${old}-\\d{8}T\\d{9}Z \\(--keep 2\\)`));
  }, 300_000);
});
