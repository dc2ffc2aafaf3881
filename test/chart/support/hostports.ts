/**
 * host:port references handed to containers (env values, args, command, ConfigMap/Secret texts such
 * as properties files or connector JSON) must resolve to a rendered Service and one of its ports:
 *   svc:port, svc.<ns>[.svc[.cluster.local]]:port                         -> Service svc, spec.ports[].port
 *   <pod>.<svc>[.<ns>[.svc...]]:port with <pod> = <sts>-<i> or $(VAR)      -> headless Service svc of StatefulSet sts
 * IPs and localhost are ignored; other dotted names without ".svc" and more than three labels are
 * treated as outside the cluster. Anything else that does not resolve is a finding.
 */
import { configTexts, containersOf, podTemplates, ref } from './pods.ts';
import type { K8sObject } from './render.ts';

interface Service {
  ports: number[];
  headless: boolean;
}

/** Stands for a $(VAR) expansion in a host name, e.g. $(POD_NAME).kafka-headless:9092. */
const ENV = '__env__';

/** A DNS-ish host (first label may be an env expansion like $(POD_NAME)) and a port, as a whole token. */
const HOST_PORT = /^((?:__env__|[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*):(\d{1,5})$/;

/** Candidate host:port tokens in free text (URLs, comma lists, key=value, JSON strings). */
export function hostPorts(text: string): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  const plain = text.replace(/\$\([A-Za-z_][A-Za-z0-9_]*\)/g, ENV);
  for (const token of plain.split(/[\s,;="'`/@()[\]{}<>|]+/)) {
    const m = HOST_PORT.exec(token);
    if (m && m[1] && m[2]) out.push({ host: m[1], port: Number(m[2]) });
  }
  return out;
}

function services(objects: K8sObject[]): Map<string, Service> {
  const out = new Map<string, Service>();
  for (const o of objects.filter((x) => x.kind === 'Service')) {
    const spec = (o['spec'] ?? {}) as { clusterIP?: string; ports?: { port: number }[] };
    out.set(o.metadata.name, { ports: (spec.ports ?? []).map((p) => p.port), headless: spec.clusterIP === 'None' });
  }
  return out;
}

/** Why host:port does not resolve, or null when it does (or is not an in-cluster name). */
function resolveHostPort(host: string, port: number, objects: K8sObject[], namespace: string): string | null {
  if (host === 'localhost' || /^[\d.]+$/.test(host)) return null;
  const clusterSuffix = /\.svc(\.cluster\.local)?$/;
  const inCluster = clusterSuffix.test(host);
  const labels = host.replace(clusterSuffix, '').split('.');
  if (!inCluster && labels.length > 3) return null;
  const svcs = services(objects);
  const portOk = (name: string): string | null => {
    const s = svcs.get(name);
    return s && s.ports.includes(port) ? null : `Service ${name} has ports [${s?.ports.join(', ')}], not ${port}`;
  };
  const [a, b, c] = labels;
  // svc | svc.ns
  if (a && svcs.has(a) && (b === undefined || (b === namespace && c === undefined))) return portOk(a);
  if (a && svcs.has(a) && b !== undefined && c === undefined && !svcs.has(b))
    return `namespace "${b}" is not the release namespace "${namespace}"`;
  // pod.svc | pod.svc.ns (StatefulSet pod DNS through its governing headless Service)
  if (a && b && (c === undefined || c === namespace) && svcs.has(b)) {
    const sts = objects.filter(
      (o) => o.kind === 'StatefulSet' && (o['spec'] as { serviceName?: string }).serviceName === b,
    );
    if (!svcs.get(b)?.headless) return `Service ${b} is not headless (clusterIP: None), so pod names do not resolve`;
    const replicas = (o: K8sObject): number => (o['spec'] as { replicas?: number }).replicas ?? 1;
    const ordinal = (o: K8sObject): number | null => {
      const m = new RegExp(`^${o.metadata.name}-(\\d+)$`).exec(a);
      return m ? Number(m[1]) : a === ENV ? 0 : null;
    };
    const owner = sts.find((o) => {
      const i = ordinal(o);
      return i !== null && i < replicas(o);
    });
    if (!owner)
      return `"${a}" is not a pod of a StatefulSet governed by Service ${b} (${sts.map(ref).join(', ') || 'none'})`;
    const containerPorts = podTemplates([owner])
      .flatMap((p) => containersOf(p.spec))
      .flatMap((x) => (x.ports ?? []).map((p) => p.containerPort));
    return containerPorts.includes(port) || svcs.get(b)?.ports.includes(port)
      ? null
      : `${ref(owner)} does not expose port ${port}`;
  }
  if (c !== undefined && c !== namespace && inCluster)
    return `namespace "${c}" is not the release namespace "${namespace}"`;
  return `no rendered Service "${a}"${b ? ` (nor a StatefulSet pod behind Service "${b}")` : ''}`;
}

/** Findings for every unresolved host:port handed to a container or kept in a ConfigMap/Secret. */
export function hostPortFindings(objects: K8sObject[], namespace: string, externalHosts: string[] = []): string[] {
  const out: string[] = [];
  const check = (where: string, text: string): void => {
    for (const { host, port } of hostPorts(text)) {
      if (externalHosts.includes(`${host}:${port}`)) continue;
      const why = resolveHostPort(host, port, objects, namespace);
      if (why) out.push(`${where}: ${host}:${port}: ${why}`);
    }
  };
  for (const pod of podTemplates(objects)) {
    for (const c of containersOf(pod.spec)) {
      for (const e of c.env ?? []) if (e.value) check(`${pod.owner} container ${c.name} env ${e.name}`, e.value);
      if (c.args) check(`${pod.owner} container ${c.name} args`, c.args.join(' '));
      if (c.command) check(`${pod.owner} container ${c.name} command`, c.command.join(' '));
    }
  }
  for (const o of objects) for (const [key, text] of configTexts(o)) check(`${ref(o)} key ${key}`, text);
  return out;
}
