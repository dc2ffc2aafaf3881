/**
 * Wiring checks over rendered manifests. Each returns findings (empty = fine), phrased so the chart
 * author can fix them without reading the test: which object, which field, what is missing.
 */
import { containersOf, keysOf, podTemplates, ref, type PodTemplate } from './pods.ts';
import type { K8sObject } from './render.ts';
import { hostPortFindings } from './hostports.ts';

export interface WiringOptions {
  /** The release namespace (helm template --namespace). */
  namespace: string;
  /** Objects the chart expects to exist already, e.g. "Secret/registry-creds", documented in its README. */
  external?: string[];
  /** host:port targets outside the release that may appear in config (e.g. "kafka.example.com:9092"). */
  externalHosts?: string[];
}

const group = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '');

/** No two objects share group+kind+namespace+name (helm would fail to install, or one would win). */
function duplicateFindings(objects: K8sObject[], namespace: string): string[] {
  const seen = new Map<string, K8sObject>();
  const out: string[] = [];
  for (const o of objects) {
    const key = `${group(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? namespace}/${o.metadata.name}`;
    const first = seen.get(key);
    if (first) out.push(`${ref(o)} is rendered twice (${first.source ?? '?'} and ${o.source ?? '?'})`);
    else seen.set(key, o);
  }
  return out;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/**
 * Name limits the API server or a controller enforces after helm has installed the object: a Service
 * name is a DNS-1035 label (63); a Job's name becomes its pods' job-name label (63); a StatefulSet's
 * name plus "-<revision hash>" (up to 11 characters) becomes its pods' controller-revision-hash label
 * (63), so 52 (kubernetes#64023); every name is a DNS-1123 subdomain (253); label values are at most 63.
 */
function nameFindings(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const max: Record<string, number> = { Service: 63, Job: 63, StatefulSet: 52 };
  for (const o of objects) {
    const name = o.metadata.name;
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) out.push(`${ref(o)}: "${name}" is not a DNS-1123 subdomain`);
    if (o.kind === 'Service' && !DNS_LABEL.test(name)) out.push(`${ref(o)}: "${name}" is not a DNS-1035 label`);
    const limit = max[o.kind];
    if (limit !== undefined && name.length > limit)
      out.push(`${ref(o)}: the name has ${name.length} characters, more than the ${limit} a ${o.kind} may have`);
    for (const [k, v] of Object.entries(o.metadata.labels ?? {}))
      if (v.length > 63) out.push(`${ref(o)}: label ${k} has a value of ${v.length} characters (at most 63)`);
  }
  return out;
}

/** Objects pinned to a namespace other than the release's (metadata, RoleBinding subjects). */
function namespaceFindings(objects: K8sObject[], namespace: string): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const ns = o.metadata.namespace;
    if (ns !== undefined && ns !== namespace)
      out.push(`${ref(o)} has metadata.namespace "${ns}", not the release namespace "${namespace}"`);
    for (const s of (o['subjects'] as { kind: string; name: string; namespace?: string }[] | undefined) ?? []) {
      if (s.namespace !== undefined && s.namespace !== namespace)
        out.push(`${ref(o)} subject ${s.kind}/${s.name} is in namespace "${s.namespace}"`);
    }
  }
  return out;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Each Service with a selector selects some pod template, and its named targetPorts exist there. */
function serviceFindings(objects: K8sObject[]): string[] {
  const pods = podTemplates(objects);
  const out: string[] = [];
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = (svc['spec'] ?? {}) as {
      selector?: Record<string, string>;
      ports?: { port: number; targetPort?: number | string }[];
    };
    if (!spec.selector || Object.keys(spec.selector).length === 0) continue;
    const selected = pods.filter((p) => matches(spec.selector ?? {}, p.labels));
    const sel = Object.entries(spec.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    if (selected.length === 0) {
      out.push(`${ref(svc)} selector {${sel}} matches no pod template`);
      continue;
    }
    for (const p of spec.ports ?? []) {
      if (typeof p.targetPort !== 'string') continue;
      const named = selected.some((pod) =>
        containersOf(pod.spec).some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)),
      );
      if (!named)
        out.push(
          `${ref(svc)} port ${p.port} targets port name "${p.targetPort}", which no selected pod (${selected.map((x) => x.owner).join(', ')}) declares`,
        );
    }
  }
  return out;
}

type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
const describeSelector = (m: Record<string, string>): string =>
  `{${Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`;

/**
 * Other selectors select something: PodDisruptionBudget and NetworkPolicy pod selectors match a pod
 * template, a ServiceMonitor selects a Service that has each endpoint's named port.
 */
function selectorFindings(objects: K8sObject[]): string[] {
  const pods = podTemplates(objects);
  const out: string[] = [];
  for (const o of objects) {
    const spec = (o['spec'] ?? {}) as {
      selector?: LabelSelector;
      podSelector?: LabelSelector;
      endpoints?: { port?: string }[];
    };
    const pick =
      o.kind === 'PodDisruptionBudget' ? spec.selector : o.kind === 'NetworkPolicy' ? spec.podSelector : undefined;
    const labels = pick?.matchLabels ?? {};
    if (pick && Object.keys(labels).length && !pods.some((p) => matches(labels, p.labels))) {
      out.push(`${ref(o)} selector ${describeSelector(labels)} matches no pod template`);
    }
    if (o.kind !== 'ServiceMonitor') continue;
    const want = spec.selector?.matchLabels ?? {};
    const services = objects.filter((s) => s.kind === 'Service' && matches(want, s.metadata.labels ?? {}));
    if (!services.length) out.push(`${ref(o)} selector ${describeSelector(want)} matches no Service's labels`);
    for (const e of spec.endpoints ?? []) {
      const named = services.some((s) =>
        ((s['spec'] as { ports?: { name?: string }[] }).ports ?? []).some((p) => p.name === e.port),
      );
      if (e.port && services.length && !named)
        out.push(`${ref(o)} endpoint port "${e.port}" is not a named port of ${services.map(ref).join(', ')}`);
    }
  }
  return out;
}

/** Secrets, ConfigMaps, PVCs and ServiceAccounts a pod refers to are rendered (or declared external). */
function referenceFindings(objects: K8sObject[], external: string[] = []): string[] {
  const byRef = new Map(objects.map((o) => [ref(o), o]));
  const out: string[] = [];
  const need = (pod: PodTemplate, what: string, kind: string, name: string | undefined, key?: string): void => {
    if (!name) return;
    const target = `${kind}/${name}`;
    const o = byRef.get(target);
    if (!o) {
      if (!external.includes(target))
        out.push(`${pod.owner} ${what} refers to ${target}, which is neither rendered nor declared external`);
    } else if (key !== undefined && !keysOf(o).has(key)) {
      out.push(
        `${pod.owner} ${what} refers to key "${key}" of ${target}, which has only [${[...keysOf(o)].join(', ')}]`,
      );
    }
  };
  for (const pod of podTemplates(objects)) {
    const { spec } = pod;
    if (spec.serviceAccountName && spec.serviceAccountName !== 'default')
      need(pod, 'serviceAccountName', 'ServiceAccount', spec.serviceAccountName);
    for (const s of spec.imagePullSecrets ?? []) need(pod, 'imagePullSecrets', 'Secret', s.name);
    const volumeNames = new Set([...(spec.volumes ?? []).map((v) => v.name), ...pod.claimTemplates]);
    for (const v of spec.volumes ?? []) {
      const where = `volume "${v.name}"`;
      need(pod, where, 'Secret', v.secret?.secretName);
      for (const i of v.secret?.items ?? []) need(pod, where, 'Secret', v.secret?.secretName, i.key);
      need(pod, where, 'ConfigMap', v.configMap?.name);
      for (const i of v.configMap?.items ?? []) need(pod, where, 'ConfigMap', v.configMap?.name, i.key);
      need(pod, where, 'PersistentVolumeClaim', v.persistentVolumeClaim?.claimName);
      for (const s of v.projected?.sources ?? []) {
        need(pod, where, 'Secret', s.secret?.name);
        need(pod, where, 'ConfigMap', s.configMap?.name);
      }
    }
    for (const c of containersOf(spec)) {
      for (const m of c.volumeMounts ?? []) {
        if (!volumeNames.has(m.name))
          out.push(`${pod.owner} container ${c.name} mounts volume "${m.name}", which the pod does not define`);
      }
      for (const e of c.envFrom ?? []) {
        need(pod, `container ${c.name} envFrom`, 'ConfigMap', e.configMapRef?.name);
        need(pod, `container ${c.name} envFrom`, 'Secret', e.secretRef?.name);
      }
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.['configMapKeyRef'];
        const sec = e.valueFrom?.['secretKeyRef'];
        need(pod, `container ${c.name} env ${e.name}`, 'ConfigMap', cm?.name, cm?.key);
        need(pod, `container ${c.name} env ${e.name}`, 'Secret', sec?.name, sec?.key);
      }
    }
  }
  for (const o of objects.filter((x) => x.kind === 'RoleBinding' || x.kind === 'ClusterRoleBinding')) {
    for (const s of (o['subjects'] as { kind: string; name: string }[] | undefined) ?? []) {
      const target = `${s.kind}/${s.name}`;
      if (s.kind === 'ServiceAccount' && !byRef.has(target) && !external.includes(target))
        out.push(`${ref(o)} binds ${target}, which is not rendered`);
    }
    const role = o['roleRef'] as { kind: string; name: string } | undefined;
    if (role?.kind === 'Role' && !byRef.has(`Role/${role.name}`))
      out.push(`${ref(o)} refers to Role/${role.name}, which is not rendered`);
  }
  return out;
}

/** Every wiring check at once, each finding prefixed with its check's name. */
export function wiringFindings(objects: K8sObject[], o: WiringOptions): string[] {
  return [
    ...duplicateFindings(objects, o.namespace).map((f) => `duplicate: ${f}`),
    ...nameFindings(objects).map((f) => `name: ${f}`),
    ...namespaceFindings(objects, o.namespace).map((f) => `namespace: ${f}`),
    ...serviceFindings(objects).map((f) => `service: ${f}`),
    ...selectorFindings(objects).map((f) => `selector: ${f}`),
    ...referenceFindings(objects, o.external).map((f) => `reference: ${f}`),
    ...hostPortFindings(objects, o.namespace, o.externalHosts).map((f) => `host:port: ${f}`),
  ];
}
