import { parseAllDocuments } from 'yaml';
import {
  CLUSTER_FLAGS,
  HELM,
  KUBECONFORM,
  K8S_VERSION,
  SCHEMA_DIR,
  run,
  type HelmName,
  type RunResult,
} from './tools.ts';

/** A rendered Kubernetes object, with the template it came from (helm's `# Source:` line). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
  source?: string;
}

export interface RenderOptions {
  chart: string;
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  set?: string[];
  /** Extra flags, e.g. ['--set-json', 'a={"b":1}']. */
  flags?: string[];
}

/** `helm template` with the given Helm major version; the result keeps stderr for error assertions. */
export function helmTemplate(helm: HelmName, o: RenderOptions): Promise<RunResult> {
  const args = ['template', o.release ?? 'rel', o.chart, '--namespace', o.namespace ?? 'ns-test', ...CLUSTER_FLAGS];
  for (const f of o.valuesFiles ?? []) args.push('--values', f);
  for (const s of o.set ?? []) args.push('--set', s);
  args.push(...(o.flags ?? []));
  return run(HELM[helm], args);
}

/** Renders and parses, failing loudly (with helm's message) when the chart does not render. */
export async function render(helm: HelmName, o: RenderOptions): Promise<{ text: string; objects: K8sObject[] }> {
  const r = await helmTemplate(helm, o);
  if (r.code !== 0)
    throw new Error(`${helm} template ${o.chart} ${(o.valuesFiles ?? []).join(' ')} failed:\n${r.stderr}`);
  return { text: r.stdout, objects: parseManifests(r.stdout) };
}

/** Splits a multi-document manifest stream into objects; YAML errors and non-objects throw. */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const o = value as K8sObject;
    if (typeof o !== 'object' || !o.kind || !o.apiVersion || !o.metadata?.name) {
      throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    }
    const comments = `${doc.commentBefore ?? ''}\n${doc.contents?.commentBefore ?? ''}`;
    const source = /Source: (\S+)/.exec(comments)?.[1];
    out.push(source ? { ...o, source } : o);
  }
  return out;
}

export interface SchemaFinding {
  object: string;
  message: string;
}

/** kubeconform -strict against the offline k8s 1.33 schemas; a kind without a schema is a finding too. */
export async function kubeconform(manifests: string): Promise<SchemaFinding[]> {
  const args = [
    '-strict',
    '-output',
    'json',
    '-kubernetes-version',
    K8S_VERSION,
    '-schema-location',
    `${SCHEMA_DIR}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-',
  ];
  const r = await run(KUBECONFORM, args, manifests);
  const report = JSON.parse(r.stdout) as { resources?: { kind: string; name: string; status: string; msg: string }[] };
  const bad = (report.resources ?? []).filter((x) => x.status !== 'statusValid' && x.status !== 'statusEmpty');
  if (r.code !== 0 && bad.length === 0) throw new Error(`kubeconform failed: ${r.stderr}`);
  return bad.map((x) => ({
    object: `${x.kind}/${x.name}`,
    message: x.msg.replace(/^problem validating schema\. Check JSON formatting: /, ''),
  }));
}
