// Which images the sandbox needs (the cluster's own, plus every image the chart renders with the sandbox's
// values), building what is not cached and importing into containerd what it does not hold yet.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../services/lib.ts';
import { CONTAINERD_SOCKET, stateFile } from '../layout.ts';
import { tool } from '../kubectl.ts';
import { buildImage } from './oci.ts';
import { chartImage, clusterImages, type Recipe } from './recipes.ts';

export const SANDBOX_VALUES = path.join(REPO_ROOT, 'values/sandbox.yaml');
const IMPORTED = stateFile('images-imported.json');

/** Every image reference in the chart's manifests (hooks and tests included), rendered offline. */
export async function chartImageRefs(valuesFiles = [SANDBOX_VALUES]): Promise<string[]> {
  const args = valuesFiles.flatMap((f) => ['--values', f]);
  const out = await $({
    quiet: true,
    timeout: '2m',
  })`${tool('helm')} template agentstore ${path.join(REPO_ROOT, 'charts/agentstore')} ${args}`;
  const refs = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'image' && typeof v === 'string') refs.add(v);
        else walk(v);
      }
    }
  };
  for (const doc of parseAllDocuments(out.stdout)) walk(doc.toJS());
  return [...refs].sort();
}

export async function sandboxRecipes(): Promise<Recipe[]> {
  return [...clusterImages(), ...(await chartImageRefs()).map(chartImage)];
}

/** Builds (when not cached) and imports (when containerd lacks that build) every image; returns one line each. */
export async function ensureImages(recipes: Recipe[], log: (m: string) => void): Promise<string[]> {
  const imported = existsSync(IMPORTED) ? (JSON.parse(await readFile(IMPORTED, 'utf8')) as Record<string, string>) : {};
  const present = (
    await $({ quiet: true, nothrow: true })`ctr --address ${CONTAINERD_SOCKET} -n k8s.io images ls -q`
  ).stdout.split('\n');
  const lines: string[] = [];
  // Two builds at a time: a debootstrap is mostly waiting on downloads, packing is mostly disk.
  const queue = [...recipes];
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      const t0 = Date.now();
      const archive = await buildImage(await r.spec(log), log);
      if (imported[r.ref] === archive && present.includes(r.ref)) {
        lines.push(`${r.ref}: present`);
        continue;
      }
      const out = await $({
        quiet: true,
        nothrow: true,
        timeout: '10m',
      })`ctr --address ${CONTAINERD_SOCKET} -n k8s.io images import ${archive}`;
      if (out.exitCode !== 0) throw new Error(`ctr images import ${archive} failed: ${out.stderr.trim()}`);
      imported[r.ref] = archive;
      lines.push(`${r.ref}: imported (${((Date.now() - t0) / 1000).toFixed(0)}s)${r.standin ? ' [STAND-IN]' : ''}`);
    }
  };
  await Promise.all([worker(), worker()]);
  await writeFile(IMPORTED, JSON.stringify(imported, null, 2));
  return lines;
}
