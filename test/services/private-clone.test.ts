// The local services start wherever a clone lives: under a private directory (0700, like a home or /root)
// as root, where PostgreSQL runs as the `postgres` account that cannot enter it, and as an ordinary user.
// Each case runs in a network namespace of its own, so its services bind the usual fixed ports without
// meeting the ones `make test` runs, and are purged afterwards.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { REPO_ROOT } from '../../src/util/repo.ts';
import { skipReasonUnlessCi } from '../support/ci.ts';
import { createNetns, type Netns } from '../support/netns.ts';

const notRoot = skipReasonUnlessCi(process.getuid?.() === 0 ? null : 'needs root (ip netns, a second user)');
const NOBODY = { uid: 65534, gid: 65534 };
const q = $({ nothrow: true, quiet: true, timeout: '300s' });

/** The checkout as a fresh clone would have it (tracked and new files, nothing git ignores), uncommitted edits included. */
async function copyCheckout(to: string): Promise<void> {
  const files = (await $({ quiet: true, cwd: REPO_ROOT })`git ls-files -z --cached --others --exclude-standard`).stdout
    .split('\0')
    .filter((f) => f && existsSync(join(REPO_ROOT, f)));
  await mkdir(to, { recursive: true });
  await $({ quiet: true, input: files.join('\0') })`tar -C ${REPO_ROOT} --null -T - -cf - | tar -C ${to} -xf -`;
}

/** The postgres cluster directory a root-run clone at `checkout` uses (the `checkout` file names its owner). */
function clusterOf(checkout: string): string | undefined {
  const base = '/var/lib/postgresql/agentstore-clusters';
  if (!existsSync(base)) return undefined;
  return $.sync({ quiet: true, nothrow: true })`grep -lx ${checkout} -r ${base} --include=checkout`.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/\/checkout$/, ''))[0];
}

describe('a clone under a private directory, as root', () => {
  let dir: string;
  let clone: string;
  let ns: Netns | undefined;
  const services = (cmd: string) =>
    q({
      cwd: clone,
    })`${ns!.enter} ${process.execPath} --import ${import.meta.resolve('tsx')} ${join(clone, 'scripts/services/main.ts')} ${cmd}`;

  beforeAll(async () => {
    if (notRoot) return;
    dir = await mkdtemp(join(tmpdir(), 'agentstore-private-')); // mkdtemp makes it 0700
    clone = join(dir, 'agentstore');
    await copyCheckout(clone);
    await $({ quiet: true })`ln -s ${join(REPO_ROOT, 'node_modules')} ${join(clone, 'node_modules')}`;
    // What `make setup` put in the checkout that services-up runs: the S3 server's virtualenv.
    await mkdir(join(clone, '.tools'), { recursive: true });
    await $({ quiet: true })`ln -s ${join(REPO_ROOT, '.tools/moto')} ${join(clone, '.tools/moto')}`;
    ns = await createNetns();
  }, 120_000);

  afterAll(async () => {
    if (notRoot) return;
    if (ns && clone) await services('purge');
    await ns?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('starts every service, PostgreSQL with its cluster where the postgres account can reach it', async ({ skip }) => {
    if (notRoot) skip(notRoot);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const up = await services('up');
    expect(up.exitCode, up.stdout + up.stderr).toBe(0);
    for (const name of ['cassandra', 'kafka', 'redis', 'postgres', 's3'])
      expect(up.stdout).toMatch(`[${name}] ready in`);
    const status = await services('status');
    expect(status.exitCode, status.stdout).toBe(0);

    const cluster = clusterOf(clone);
    expect(cluster, 'a cluster dir naming this clone').toBeDefined();
    expect(existsSync(join(cluster!, 'data', 'PG_VERSION'))).toBe(true);
    expect(statSync(join(cluster!, 'data')).uid).not.toBe(0);

    const purge = await services('purge');
    expect(purge.exitCode, purge.stdout + purge.stderr).toBe(0);
    expect(existsSync(cluster!), 'purge removes the cluster outside the checkout').toBe(false);
    expect(readdirSync(join(clone, '.services')), 'purge removes every service folder').toEqual([]);
  }, 300_000);
});

describe('a clone under a private home, as an ordinary user', () => {
  let home: string;
  let clone: string;
  let ns: Netns | undefined;
  let node: string;
  const asNobody = (cmd: string) =>
    q({
      cwd: home,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, CI: process.env['CI'] ?? '' },
    })`${ns!.enter} setpriv --reuid=${NOBODY.uid} --regid=${NOBODY.gid} --clear-groups -- ${node} ${join(clone, 'scripts/services/main.mjs')} ${cmd} postgres redis`;

  beforeAll(async () => {
    if (notRoot) return;
    home = await mkdtemp(join(tmpdir(), 'agentstore-home-'));
    clone = join(home, 'agentstore');
    // The user cannot read this checkout's node_modules (it may sit under /root), so the services script
    // goes in as one file at its usual place in the clone, where it finds the clone's root as usual.
    await mkdir(join(clone, 'scripts/services'), { recursive: true });
    await build({
      entryPoints: [join(REPO_ROOT, 'scripts/services/main.ts')],
      outfile: join(clone, 'scripts/services/main.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'error',
    });
    node = join(home, 'node');
    await copyFile(process.execPath, node);
    await chmod(node, 0o755);
    await $({ quiet: true })`chown -R ${NOBODY.uid}:${NOBODY.gid} ${home}`;
    await chown(home, NOBODY.uid, NOBODY.gid);
    ns = await createNetns();
  }, 120_000);

  afterAll(async () => {
    if (notRoot) return;
    if (ns && clone) await asNobody('purge');
    await ns?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }, 120_000);

  it('starts PostgreSQL and Redis as that user, with their data in the clone', async ({ skip }) => {
    if (notRoot) skip(notRoot);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const up = await asNobody('up');
    expect(up.exitCode, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch('[postgres] ready in');
    expect(up.stdout).toMatch('[redis] ready in');
    const data = join(clone, '.services/postgres/data');
    expect(readFileSync(join(data, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    expect(statSync(data).uid).toBe(NOBODY.uid);
    const status = await asNobody('status');
    expect(status.exitCode, status.stdout).toBe(0);
  }, 300_000);
});
