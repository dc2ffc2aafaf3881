#!/usr/bin/env -S npx tsx
/**
 * Bundles what the chart's pods run (src/cli/pod.ts: the commands of src/cli/pod-commands.ts, and
 * every dependency) into one ESM file and writes it brotli-compressed to
 * charts/agentstore/charts/cli/files/agentstore.mjs.br, where the chart's Jobs, test pod, projector
 * and connector supervisor pick it up from a ConfigMap (binaryData, limit 1 MiB). Brotli, not gzip:
 * ~20% smaller on minified JS, and Node decompresses it with its own zlib.
 *
 * The file sits in the files-only subchart `cli` because Helm does not store subcharts in the
 * release Secret (pkg/chart Chart.dependencies is not serialised): the bundle is stored once, inside
 * the rendered ConfigMap, instead of twice (test/chart/release-size.test.ts measures the release).
 *
 * Deterministic: same sources + same lockfile -> same bytes (no timestamps, no absolute paths), so
 * test/chart/bundle.test.ts can check the committed file is fresh (it compares the decompressed
 * text, which does not depend on the zlib version).
 *
 *   tsx scripts/bundle.ts            write the file, print sizes
 *   tsx scripts/bundle.ts --check    exit 1 if the committed file differs from a fresh build
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { REPO_ROOT } from '../src/util/repo.ts';
import { noEntryGuards, stubUnused, zodLocales } from './chart/bundle-plugins.ts';
import { pathToFileURL } from 'node:url';

const root = REPO_ROOT;
export const BUNDLE_PATH = join(root, 'charts/agentstore/charts/cli/files/agentstore.mjs.br');
/** The entry point: only the commands the chart's pods run. */
const ENTRY = 'src/cli/pod.ts';
/**
 * The source folders the bundle may contain. Library code that no pod runs (src/postgres, src/bench,
 * the storage interfaces, a checkpointer) must stay out: a folder appears here only on purpose, and
 * test/chart/bundle.test.ts fails when the bundle pulls in another one.
 */
export const BUNDLED_SOURCES = [
  // The audit CronJob (projector.audit) runs `agentstore audit`.
  'audit',
  'backup',
  'cdc',
  'cli',
  'clients',
  'config',
  'connect',
  'cql',
  'domain',
  'log',
  'migrations',
  'projector',
  'readmodels',
  'schema',
  'seed',
  'store',
  'util',
  'verify',
];
/**
 * A ConfigMap's data may not exceed 1 MiB: above it the file is useless, so refuse to write it. The
 * release's own limit (the release Secret, 1 MiB) is measured by test/chart/release-size.test.ts.
 */
const CONFIGMAP_CAP = 1024 * 1024;

/** CommonJS dependencies (cassandra-driver, commander) call require() on node builtins. */
const BANNER =
  "import { createRequire as __agentstoreCreateRequire } from 'node:module';\n" +
  'const require = __agentstoreCreateRequire(import.meta.url);';

/** Builds the bundle in memory: the plain .mjs text and its brotli bytes. */
export async function bundle(): Promise<{ js: Buffer; gz: Buffer; sources: string[] }> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    metafile: true,
    bundle: true,
    platform: 'node',
    // The chart's pods run Node 24 (jobs.image); test/chart/bundle.test.ts runs the bundle on that version.
    target: 'node24',
    format: 'esm',
    write: false,
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    charset: 'utf8',
    banner: { js: BANNER },
    plugins: [noEntryGuards, stubUnused, zodLocales],
    logLevel: 'warning',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  const js = Buffer.from(file.contents);
  const gz = brotliCompressSync(js, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: js.length,
    },
  });
  // src/<folder>/... of every bundled source file: what BUNDLED_SOURCES bounds.
  const sources = [
    ...new Set(
      Object.keys(result.metafile.inputs)
        .map((p) => /^src\/([^/]+)\//.exec(p)?.[1])
        .filter((f): f is string => !!f),
    ),
  ].sort();
  return { js, gz, sources };
}

/**
 * Whether the committed file holds exactly this bundle. Compares the decompressed text: the bytes are
 * deterministic for one zlib, but another Node release may compress the same text differently.
 */
export const isFresh = (committed: Buffer, js: Buffer): boolean => brotliDecompressSync(committed).equals(js);

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const { js, gz } = await bundle();
  if (gz.length > CONFIGMAP_CAP)
    throw new Error(`bundle is ${kib(gz.length)} compressed, above the 1 MiB ConfigMap cap`);
  const rel = relative(root, BUNDLE_PATH);
  if (process.argv.includes('--check')) {
    const same = existsSync(BUNDLE_PATH) && isFresh(readFileSync(BUNDLE_PATH), js);
    console.log(same ? `${rel} is fresh` : `${rel} is stale: run \`tsx scripts/bundle.ts\``);
    process.exitCode = same ? 0 : 1;
    return;
  }
  await mkdir(dirname(BUNDLE_PATH), { recursive: true });
  await writeFile(BUNDLE_PATH, gz);
  console.log(
    `${rel}: ${kib(js.length)} -> ${kib(gz.length)} brotli (the release's size: test/chart/release-size.test.ts)`,
  );
}

// pathToFileURL, not `file://${argv[1]}`: a checkout path with a space or a % is percent-encoded in the URL.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  });
}
