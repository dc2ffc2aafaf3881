import type { K8sObject } from './render.ts';

/** The parts of a pod spec the wiring checks read. */
export interface Container {
  name: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: Record<string, { name?: string; key?: string } | undefined> }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string }[];
}
interface Volume {
  name: string;
  secret?: { secretName?: string; items?: { key: string }[] };
  configMap?: { name?: string; items?: { key: string }[] };
  persistentVolumeClaim?: { claimName: string };
  projected?: { sources?: { secret?: { name: string }; configMap?: { name: string } }[] };
}
export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  imagePullSecrets?: { name: string }[];
  serviceAccountName?: string;
}
export interface PodTemplate {
  /** "Deployment/name", for messages. */
  owner: string;
  object: K8sObject;
  labels: Record<string, string>;
  spec: PodSpec;
  /** StatefulSet volumeClaimTemplates: names a volumeMount may use besides spec.volumes. */
  claimTemplates: string[];
}

const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

export const ref = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

/** Every pod template in the manifests: workloads' spec.template, CronJobs' job template, bare Pods. */
export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objects) {
    const template =
      o.kind === 'Pod'
        ? o
        : o.kind === 'CronJob'
          ? at(o, 'spec', 'jobTemplate', 'spec', 'template')
          : ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind)
            ? at(o, 'spec', 'template')
            : undefined;
    if (!template) continue;
    const claims = (at(o, 'spec', 'volumeClaimTemplates') as { metadata: { name: string } }[] | undefined) ?? [];
    out.push({
      owner: ref(o),
      object: o,
      labels: (at(template, 'metadata', 'labels') as Record<string, string> | undefined) ?? {},
      spec: (at(template, 'spec') as PodSpec | undefined) ?? {},
      claimTemplates: claims.map((c) => c.metadata.name),
    });
  }
  return out;
}

export const containersOf = (spec: PodSpec): Container[] => [
  ...(spec.initContainers ?? []),
  ...(spec.containers ?? []),
];

/** Decoded text values of ConfigMaps (data, binaryData is skipped) and Secrets (stringData, base64 data). */
export function configTexts(o: K8sObject): [string, string][] {
  const data = (o['data'] as Record<string, string> | undefined) ?? {};
  if (o.kind === 'ConfigMap') return Object.entries(data);
  if (o.kind !== 'Secret') return [];
  const decoded = Object.entries(data).map(([k, v]): [string, string] => [
    k,
    Buffer.from(String(v), 'base64').toString('utf8'),
  ]);
  return [...decoded, ...Object.entries((o['stringData'] as Record<string, string> | undefined) ?? {})];
}

/** Keys a ConfigMap or Secret provides (for configMapKeyRef / secretKeyRef / volume items). */
export function keysOf(o: K8sObject): Set<string> {
  const fields = o.kind === 'Secret' ? ['data', 'stringData'] : ['data', 'binaryData'];
  return new Set(fields.flatMap((f) => Object.keys((o[f] as Record<string, unknown> | undefined) ?? {})));
}
