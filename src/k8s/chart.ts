/**
 * What the Jobs need from the chart, read from the chart as rendered for the release (`helm template`,
 * or `helm get manifest` of an installed release) instead of recomputed from its naming rules, which
 * depend on the release name and change with the chart: the CQL and Redis Services, the Redis
 * password Secret, and the ConfigMap holding the CLI bundle.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Helm, type HelmProps } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ENV } from '../config/env.ts';
import { ROOT, type StackConfig } from './config.ts';

/** A Kubernetes object as rendered. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** A Service a Job connects to. */
interface Endpoint {
  service: string;
  port: number;
}

export interface ChartServices {
  /** The ScyllaDB client Service (not the headless one), port `cql`. */
  cql: Endpoint;
  /** The Redis Service, port `redis`. */
  redis: Endpoint;
  /** Where the chart's own Redis readers (the projector, the test pod) take the password from; none without auth. */
  redisPassword?: { secret: string; key: string };
  /** The ConfigMap whose binaryData holds the CLI bundle. */
  bundleConfigMap: string;
}

export const BUNDLE_KEY = 'agentstore.mjs.br';

function helmBinary(): string {
  const local = join(ROOT, '.tools/bin/helm');
  return existsSync(local) ? local : 'helm';
}

/** How the stack renders the chart: cdk8s's Helm construct, which runs `helm template`. */
export function chartProps(c: StackConfig): HelmProps {
  return {
    chart: c.chartDir,
    releaseName: c.release,
    namespace: c.namespace,
    helmExecutable: helmBinary(),
    values: {},
    helmFlags: [...c.valuesFiles.flatMap((f) => ['--values', join(ROOT, f)]), '--kube-version', '1.33.0'],
  };
}

/** The chart rendered for this release and values, as objects. */
export function renderChart(c: StackConfig): K8sObject[] {
  const helm = new Helm(new Chart(new App(), 'render'), 'chart', chartProps(c));
  return helm.apiObjects.map((o) => o.toJson() as K8sObject);
}

/** A manifest stream (what `helm template` or `helm get manifest` prints) as objects. */
export function parseManifest(text: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`not a manifest: ${doc.errors[0]!.message}`);
    const o = doc.toJS() as K8sObject | null;
    return o && o.kind ? [o] : [];
  });
}

interface ServiceSpec {
  clusterIP?: string;
  selector?: Record<string, string>;
  ports?: { name?: string; port: number }[];
}

/** The one non-headless Service selecting `component`'s pods with a port named `portName`. */
function endpointOf(objects: K8sObject[], component: string, portName: string): Endpoint {
  const found = objects.flatMap((o) => {
    if (o.kind !== 'Service') return [];
    const spec = o['spec'] as ServiceSpec;
    const port = spec.ports?.find((p) => p.name === portName);
    if (spec.clusterIP === 'None' || spec.selector?.['app.kubernetes.io/name'] !== component || !port) return [];
    return [{ service: o.metadata.name, port: port.port }];
  });
  if (found.length !== 1) {
    throw new Error(
      `the rendered chart has ${found.length} Services for ${component} with a port named ${portName} (${found.map((e) => e.service).join(', ') || 'none'}); the Jobs need exactly one`,
    );
  }
  const e = found[0]!;
  const sameName = objects.filter((o) => o.kind === 'Service' && o.metadata.name === e.service).length;
  if (sameName > 1) {
    throw new Error(
      `the rendered chart names ${sameName} Services ${e.service}: the release name is too long for the chart's names (the Jobs would reach whichever Kubernetes kept)`,
    );
  }
  return e;
}

/** The names the Jobs use, from the rendered chart; an error says what is missing or ambiguous. */
export function chartServices(objects: K8sObject[]): ChartServices {
  const refs = new Map<string, { secret: string; key: string }>();
  for (const o of objects)
    for (const e of containerEnv(o))
      if (e.name === ENV.redisPassword.name && e.valueFrom?.secretKeyRef) {
        const { name, key } = e.valueFrom.secretKeyRef;
        refs.set(`${name}/${key}`, { secret: name, key });
      }
  if (refs.size > 1) throw new Error(`the chart's pods read the Redis password from ${[...refs.keys()].join(' and ')}`);
  const bundles = objects.filter((o) => o.kind === 'ConfigMap' && BUNDLE_KEY in ((o['binaryData'] as object) ?? {}));
  if (bundles.length !== 1)
    throw new Error(`the rendered chart has ${bundles.length} ConfigMaps with ${BUNDLE_KEY}; the Jobs need one`);
  return {
    cql: endpointOf(objects, 'scylladb', 'cql'),
    redis: endpointOf(objects, 'redis', 'redis'),
    ...(refs.size ? { redisPassword: [...refs.values()][0]! } : {}),
    bundleConfigMap: bundles[0]!.metadata.name,
  };
}

interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** The env of every container of a workload or pod. */
function containerEnv(o: K8sObject): EnvEntry[] {
  type Spec = { containers?: { env?: EnvEntry[] }[] };
  const spec = (o.kind === 'Pod' ? o['spec'] : (o['spec'] as { template?: { spec?: Spec } })?.template?.spec) as
    Spec | undefined;
  return (spec?.containers ?? []).flatMap((c) => c.env ?? []);
}
