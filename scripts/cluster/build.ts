// Builds the cluster's binaries from the Go module proxy, once per version: Kubernetes (through a wrapper module,
// since k8s.io/kubernetes' own go.mod has relative replaces that `go install` refuses), etcd (the same), CoreDNS,
// local-path-provisioner, kube-router, and the pause binary (C, from the Kubernetes module). Outputs go to
// ~/.cache/agentstore/cluster/bin/<name>-<version>/ behind a marker holding the recipe's hash; a failed build
// names its module and keeps its log.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { requireCommand } from '../services/lib.ts';
import { BIN_CACHE, BUILD_DIR } from './layout.ts';
import { COREDNS, ETCD, KUBERNETES, KUBERNETES_STAGING, KUBE_ROUTER, LOCAL_PATH_PROVISIONER } from './versions.ts';

export class BuildError extends Error {}

interface Recipe {
  name: string;
  version: string;
  /** The Go module (or source) it comes from, for the error message. */
  module: string;
  outputs: string[];
  /** Builds into `out`; runs in `work` with its output appended to `log`. */
  build(b: Builder): Promise<void>;
}

interface Builder {
  work: string;
  out: string;
  run(cmd: string, args: string[], env?: Record<string, string>): Promise<string>;
}

const K8S_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'];

/** -X flags that make the binaries report the release (else v0.0.0, and a chart's kubeVersion check fails). */
function k8sLdflags(): string {
  const [major, minor] = KUBERNETES.slice(1).split('.');
  const vars = { gitVersion: KUBERNETES, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
  return [
    '-s -w',
    ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
      Object.entries(vars).map(([k, v]) => `-X ${pkg}.${k}=${v}`),
    ),
  ].join(' ');
}

/** The staging modules k8s.io/kubernetes replaces with ./staging/src/... at this version, read from its go.mod. */
async function stagingModules(b: Builder): Promise<string[]> {
  const info = JSON.parse(await b.run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES}`])) as {
    GoMod: string;
  };
  const gomod = await readFile(info.GoMod, 'utf8');
  const mods = [...gomod.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\//gm)].map((m) => m[1]!);
  if (mods.length < 20)
    throw new BuildError(`k8s.io/kubernetes ${KUBERNETES} go.mod lists ${mods.length} staging modules`);
  return mods;
}

const goEnv = { CGO_ENABLED: '0', GOFLAGS: '-mod=mod -trimpath -buildvcs=false' };

const RECIPES: Recipe[] = [
  {
    name: 'kubernetes',
    version: KUBERNETES,
    module: `k8s.io/kubernetes@${KUBERNETES}`,
    outputs: [...K8S_BINARIES],
    async build(b) {
      const replaces = (await stagingModules(b)).map((m) => `replace ${m} => ${m} ${KUBERNETES_STAGING}`);
      await writeFile(
        path.join(b.work, 'go.mod'),
        `module agentstore.local/k8s\n\ngo 1.24\n\nrequire k8s.io/kubernetes ${KUBERNETES}\n\n${replaces.join('\n')}\n`,
      );
      const pkgs = K8S_BINARIES.map((c) => `k8s.io/kubernetes/cmd/${c}`);
      await b.run('go', ['get', ...pkgs.map((p) => `${p}@${KUBERNETES}`)], goEnv);
      await b.run('go', ['build', '-ldflags', k8sLdflags(), '-o', `${b.out}/`, ...pkgs], goEnv);
    },
  },
  {
    name: 'pause',
    version: KUBERNETES,
    module: `k8s.io/kubernetes@${KUBERNETES} build/pause/linux/pause.c`,
    outputs: ['pause'],
    async build(b) {
      const info = JSON.parse(await b.run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES}`])) as {
        Dir: string;
      };
      const src = path.join(info.Dir, 'build/pause/linux/pause.c');
      await b.run('gcc', ['-Os', '-Wall', '-static', '-DVERSION=agentstore-sandbox', '-o', `${b.out}/pause`, src]);
    },
  },
  {
    name: 'etcd',
    version: ETCD,
    module: `go.etcd.io/etcd/server/v3@${ETCD}`,
    outputs: ['etcd'],
    async build(b) {
      // The server module's own go.mod has relative replaces too: a two-line main calling etcdmain.Main.
      await writeFile(
        path.join(b.work, 'go.mod'),
        `module agentstore.local/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 ${ETCD}\n`,
      );
      await writeFile(
        path.join(b.work, 'main.go'),
        'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n',
      );
      await b.run('go', ['mod', 'tidy'], goEnv);
      await b.run('go', ['build', '-ldflags', '-s -w', '-o', `${b.out}/etcd`, '.'], goEnv);
    },
  },
  goInstall('coredns', COREDNS, 'github.com/coredns/coredns', ''),
  goInstall('local-path-provisioner', LOCAL_PATH_PROVISIONER, 'github.com/rancher/local-path-provisioner', ''),
  goInstall('kube-router', KUBE_ROUTER, 'github.com/cloudnativelabs/kube-router/v2', '/cmd/kube-router'),
];

function goInstall(name: string, version: string, module: string, pkg: string): Recipe {
  return {
    name,
    version,
    module: `${module}@${version}`,
    outputs: [name],
    async build(b) {
      await b.run('go', ['install', '-ldflags', '-s -w', `${module}${pkg}@${version}`], {
        ...goEnv,
        GOFLAGS: '-trimpath -buildvcs=false',
        GOBIN: b.out,
      });
    },
  };
}

const recipeHash = (r: Recipe) =>
  createHash('sha256')
    .update(JSON.stringify({ v: r.version, m: r.module, o: r.outputs, b: r.build.toString(), l: k8sLdflags() }))
    .digest('hex');

export const binDir = (name: string): string => {
  const r = RECIPES.find((x) => x.name === name);
  if (!r) throw new Error(`no build recipe "${name}"`);
  return path.join(BIN_CACHE, `${r.name}-${r.version}`);
};

export const binary = (recipe: string, file = recipe): string => path.join(binDir(recipe), file);

async function isBuilt(r: Recipe): Promise<boolean> {
  const marker = path.join(binDir(r.name), '.complete');
  return existsSync(marker) && (await readFile(marker, 'utf8')).trim() === recipeHash(r);
}

/** Builds one recipe unless its cached output is current. Returns a one-line summary. */
async function ensureBuilt(r: Recipe, log: (m: string) => void): Promise<string> {
  if (await isBuilt(r)) return `${r.name} ${r.version} cached`;
  const t0 = Date.now();
  const work = path.join(BUILD_DIR, `${r.name}-${r.version}`);
  const logFile = path.join(BUILD_DIR, `${r.name}-${r.version}.log`);
  const out = `${binDir(r.name)}.partial`;
  await rm(out, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await mkdir(out, { recursive: true });
  await writeFile(logFile, `build of ${r.module} started ${new Date().toISOString()}\n`);
  log(`building ${r.module} (once; log ${logFile})`);
  const builder: Builder = {
    work,
    out,
    async run(cmd, args, env) {
      const p = await $({
        cwd: work,
        env: { ...process.env, ...env },
        nothrow: true,
        quiet: true,
        timeout: '40m', // the Kubernetes build takes ~5 min cold on 2 cores; a hang must not block CI
      })`${cmd} ${args}`;
      await writeFile(logFile, `\n$ ${cmd} ${args.join(' ')}\n${p.stdout}${p.stderr}`, { flag: 'a' });
      if (p.exitCode !== 0) {
        const tail = `${p.stdout}${p.stderr}`.trimEnd().split('\n').slice(-15).join('\n');
        throw new BuildError(
          `building ${r.module} failed at \`${cmd} ${args.slice(0, 2).join(' ')}\` (exit ${p.exitCode}); full log kept at ${logFile}\n${tail}`,
        );
      }
      return p.stdout;
    },
  };
  await r.build(builder);
  for (const o of r.outputs) {
    if (!existsSync(path.join(out, o))) throw new BuildError(`building ${r.module}: ${o} missing (log ${logFile})`);
  }
  await writeFile(path.join(out, '.complete'), `${recipeHash(r)}\n`);
  await rm(binDir(r.name), { recursive: true, force: true });
  await rename(out, binDir(r.name));
  return `${r.name} ${r.version} built in ${((Date.now() - t0) / 1000).toFixed(0)}s`;
}

export function checkBuildPrerequisites(): void {
  requireCommand('go', 'install Go >= 1.24 (the machine image has it in /usr/local/go/bin)');
  requireCommand('gcc', 'apt-get install -y gcc libc6-dev (the pause binary is C, linked statically)');
}

/**
 * Builds everything the cluster runs. Two at a time at most: the Kubernetes link alone peaks near 2 GB and the
 * machine has 2 cores, so more parallelism only adds memory pressure.
 */
export async function buildAll(log: (m: string) => void): Promise<string[]> {
  checkBuildPrerequisites();
  const pending = [...RECIPES];
  const results: string[] = [];
  const worker = async () => {
    for (let r = pending.shift(); r; r = pending.shift()) results.push(await ensureBuilt(r, log));
  };
  await Promise.all([worker(), worker()]);
  return results;
}
