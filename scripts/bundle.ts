#!/usr/bin/env -S npx tsx
/**
 * Bundles the CLI (src/cli/main.ts and every dependency) into one ESM file for Node 20 and
 * writes it brotli-compressed to charts/agentstore/files/agentstore.mjs.br, where the chart's Jobs,
 * test pod and projector pick it up from a ConfigMap (binaryData, limit 1 MiB). Brotli, not gzip:
 * ~20% smaller on minified JS, and Node decompresses it with its own zlib.
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
export const BUNDLE_PATH = join(root, 'charts/agentstore/files/agentstore.mjs.br');
/**
 * Budget for the compressed bundle. Helm keeps each release in one Secret (JSON, gzip, base64; 1 MiB)
 * that holds this file twice, base64-encoded: as a chart file and inside the ConfigMap manifest.
 * 2 x 4/3 (base64) x ~0.76 (gzip of base64) x 4/3 (base64) = ~2.7 x size, plus the rest of the chart:
 * 320 KiB leaves ~150 KiB of headroom. The same limit is enforced by the chart (cli-configmap.yaml).
 */
export const MAX_GZ_BYTES = 320 * 1024;
/** A ConfigMap's data may not exceed 1 MiB: above it the file is useless, so refuse to write it. */
const CONFIGMAP_CAP = 1024 * 1024;

/** CommonJS dependencies (cassandra-driver, commander) call require() on node builtins. */
const BANNER =
  "import { createRequire as __agentstoreCreateRequire } from 'node:module';\n" +
  'const require = __agentstoreCreateRequire(import.meta.url);';

/** Builds the bundle in memory: the plain .mjs text and its brotli bytes. */
export async function bundle(): Promise<{ js: Buffer; gz: Buffer }> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
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
  return { js, gz };
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
  console.log(`${rel}: ${kib(js.length)} -> ${kib(gz.length)} brotli (release budget ${kib(MAX_GZ_BYTES)})`);
  if (gz.length > MAX_GZ_BYTES)
    console.warn(`warning: over the release budget: helm install would fail (release Secret > 1 MiB)`);
}

// pathToFileURL, not `file://${argv[1]}`: a checkout path with a space or a % is percent-encoded in the URL.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  });
}
