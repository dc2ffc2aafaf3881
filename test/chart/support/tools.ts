import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../../src/util/repo.ts';
import { skipReasonUnlessCi } from '../../support/ci.ts';

/** The binaries `make setup` puts in .tools/bin: Helm 4 (tools.ts), Helm 3 and kubeconform (go-tools.sh). */
export const ROOT = REPO_ROOT;
const bin = (name: string): string => join(ROOT, '.tools/bin', name);
export const HELM = { helm4: bin('helm'), helm3: bin('helm3') } as const;
export type HelmName = keyof typeof HELM;
export const KUBECONFORM = bin('kubeconform');
export const K8S_VERSION = '1.33.13';
export const SCHEMA_DIR = join(ROOT, '.tools/k8s-schemas', `v${K8S_VERSION}`);
/**
 * Render as if installing into a 1.33 cluster that runs the prometheus-operator (Helm 3 would
 * otherwise assume Kubernetes 1.20, and templates gated on the CRD would not be validated).
 */
export const CLUSTER_FLAGS = [
  '--kube-version',
  K8S_VERSION,
  '--api-versions',
  'monitoring.coreos.com/v1',
  '--api-versions',
  'monitoring.coreos.com/v1/ServiceMonitor',
];

/**
 * Why the chart tests cannot run here, or null when every tool is in place. Under CI there is no
 * excuse: `make test` ran `make setup`, so a missing tool must fail the suites, never skip them.
 */
export function missingTools(): string | null {
  const need: [string, string][] = [
    [HELM.helm4, 'tsx scripts/setup/tools.ts'],
    [HELM.helm3, 'bash scripts/setup/go-tools.sh'],
    [KUBECONFORM, 'bash scripts/setup/go-tools.sh'],
    [join(SCHEMA_DIR, 'service-v1.json'), 'tsx scripts/setup/k8s-schemas.ts'],
  ];
  const missing = need.filter(([path]) => !existsSync(path));
  return skipReasonUnlessCi(
    missing.length
      ? `missing ${missing.map(([p, fix]) => `${relative(ROOT, p)} (run ${fix})`).join(', ')}; run \`make setup\``
      : null,
  );
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary and never throws on a non-zero exit: the caller asserts on the result. */
export function run(file: string, args: string[], input?: string, env?: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    const options = { maxBuffer: 64 * 1024 * 1024, cwd: ROOT, env: env ? { ...process.env, ...env } : process.env };
    const child = execFile(file, args, options, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && typeof err.code !== 'number' ? err.message : '') });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
