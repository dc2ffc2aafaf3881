import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../../src/k8s/config.ts';
import { skipReasonUnlessCi } from '../support/ci.ts';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

export const HELM = join(ROOT, '.tools/bin/helm');
const KUBECONFORM = join(ROOT, '.tools/bin/kubeconform');
const SCHEMAS = join(ROOT, '.tools/k8s-schemas/v1.33.13');

/** Strict YAML parse of a manifest stream: duplicate keys, YAML errors and non-objects all fail. */
function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text, { uniqueKeys: true }).flatMap((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
    const o = doc.toJS() as K8sObject | null;
    if (o === null) return [];
    if (!o.apiVersion || !o.kind || !o.metadata?.name)
      throw new Error(`not a Kubernetes object: ${JSON.stringify(o).slice(0, 200)}`);
    return [o];
  });
}

export const readManifests = (file: string): K8sObject[] => parseManifests(readFileSync(file, 'utf8'));

/**
 * A copy of the chart with a small placeholder CLI bundle: what these tests compare (images, ports,
 * Service names, env) does not depend on the bundle, and the real one is being resized by the chart work.
 */
export function chartCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'cdk8s-chart-')), 'agentstore');
  cpSync(join(ROOT, 'charts/agentstore'), dir, { recursive: true });
  writeFileSync(join(dir, 'charts/cli/files/agentstore.mjs.br'), brotliCompressSync('process.exit(0)\n'));
  return dir;
}

function run(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { maxBuffer: 64 << 20, cwd: ROOT }, (err, stdout, stderr) =>
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
        stdout,
        stderr: stderr || (err?.message ?? ''),
      }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function helmTemplate(
  chartDir: string,
  valuesFile = 'values/kind.yaml',
  release = 'agentstore',
  namespace = 'agentstore',
): Promise<K8sObject[]> {
  const r = await run(HELM, [
    'template',
    release,
    chartDir,
    '--namespace',
    namespace,
    '--values',
    join(ROOT, valuesFile),
    '--kube-version',
    '1.33.0',
  ]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseManifests(r.stdout);
}

/** Why strict schema validation cannot run here, or null. */
export function kubeconformMissing(): string | null {
  const missing = [
    [KUBECONFORM, 'bash scripts/setup/go-tools.sh'],
    [join(SCHEMAS, 'job-batch-v1.json'), 'tsx scripts/setup/k8s-schemas.ts'],
  ]
    .filter(([p]) => !existsSync(p!))
    .map(([p, fix]) => `${relative(ROOT, p!)} (run ${fix})`);
  return skipReasonUnlessCi(missing.length ? `missing ${missing.join(', ')}` : null);
}

/** kubeconform -strict against the offline Kubernetes 1.33 schemas; returns the findings. */
export async function kubeconform(manifests: string): Promise<string[]> {
  const r = await run(
    KUBECONFORM,
    [
      '-strict',
      '-output',
      'json',
      '-kubernetes-version',
      '1.33.13',
      '-schema-location',
      `${SCHEMAS}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      '-',
    ],
    manifests,
  );
  const report = JSON.parse(r.stdout || '{}') as {
    resources?: { kind: string; name: string; status: string; msg: string }[];
  };
  const bad = (report.resources ?? []).filter((x) => x.status !== 'statusValid' && x.status !== 'statusEmpty');
  if (r.code !== 0 && !bad.length) throw new Error(`kubeconform failed: ${r.stderr}`);
  return bad.map((x) => `${x.kind}/${x.name}: ${x.msg}`);
}

type Container = {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  args?: string[];
  securityContext?: Record<string, unknown>;
};
export type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
  securityContext?: Record<string, unknown>;
};
export const podOf = (o: K8sObject): { labels: Record<string, string>; spec: PodSpec } => {
  const t = (o['spec'] as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;
  return { labels: t.metadata.labels, spec: t.spec };
};
export const containersOf = (s: PodSpec): Container[] => [...(s.initContainers ?? []), ...s.containers];
