/**
 * A rendered chart as reviewable, deterministic text: each object with the template it came from, in
 * render order. Map keys are sorted (Kubernetes ignores their order, so moving a key in a template is
 * no change); list order is kept (it matters for env and containers). What helm generates at random
 * (passwords, the KRaft cluster id) and the CLI bundle's bytes are replaced by placeholders.
 * rendered.test.ts keeps one such file per case, so a template change shows up as a diff of what
 * Kubernetes would receive.
 */
import { stringify } from 'yaml';
import type { K8sObject } from './render.ts';

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Placeholders for the values that differ between two renders of the same input, or with the bundle build. */
function stable(o: K8sObject): K8sObject {
  const copy = structuredClone(o);
  const { source: _source, ...rest } = copy;
  if (rest.kind === 'Secret' && isTree(rest['data']) && 'password' in rest['data']) {
    rest['data']['password'] = '<generated or kept password>';
  }
  if (rest.kind === 'ConfigMap' && isTree(rest['data']) && 'CLUSTER_ID' in rest['data']) {
    rest['data']['CLUSTER_ID'] = '<generated or kept cluster id>';
  }
  if (rest.kind === 'ConfigMap' && isTree(rest['binaryData'])) {
    for (const key of Object.keys(rest['binaryData'])) rest['binaryData'][key] = `<files/${key}>`;
  }
  const template = (rest['spec'] as { template?: { metadata?: { annotations?: Tree } } } | undefined)?.template;
  if (template?.metadata?.annotations && 'checksum/bundle' in template.metadata.annotations) {
    template.metadata.annotations['checksum/bundle'] = '<sha256 of files/agentstore.mjs.br>';
  }
  return rest as K8sObject;
}

export function snapshotText(objects: K8sObject[]): string {
  return objects
    .map((o) => `# Source: ${o.source ?? '(unknown)'}\n${stringify(stable(o), { lineWidth: 0, sortMapEntries: true })}`)
    .join('---\n');
}
