#!/usr/bin/env -S npx tsx
/**
 * Makes strict, offline JSON schemas for kubeconform: Kubernetes 1.33 (from the OpenAPI spec
 * shipped in the k8s.io/kubernetes Go module) plus the prometheus-operator ServiceMonitor and
 * PodMonitor CRDs (from the prometheus-operator Go module). Both come through the Go module proxy,
 * so no other host is needed. Output: .tools/k8s-schemas/<K8S_VERSION>/<kind>-<group>-<version>.json,
 * the layout kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json` template expects.
 *
 * Strict like `openapi2jsonschema --strict`: every object schema with declared properties gets
 * `additionalProperties: false`, so an unknown or misspelt field is an error. Each file is
 * standalone: the definitions it needs are copied into its own `definitions` (recursion-safe).
 * Idempotent: a directory whose stamp matches this converter's version is kept.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/util/repo.ts';
import { pathToFileURL } from 'node:url';

export const K8S_VERSION = 'v1.33.13';
const PROM_OPERATOR = 'github.com/prometheus-operator/prometheus-operator@v0.85.0';
const PROM_CRDS = ['servicemonitors', 'podmonitors'];
/** Bump when the conversion changes, so cached schemas are rebuilt. */
const CONVERTER_STAMP = `k8s-schemas 2 ${K8S_VERSION} ${PROM_OPERATOR}`;

const root = REPO_ROOT;
export const SCHEMA_DIR = join(root, '.tools/k8s-schemas', K8S_VERSION);
/** The -schema-location to hand kubeconform. */
export const SCHEMA_LOCATION = join(SCHEMA_DIR, '{{ .ResourceKind }}{{ .KindSuffix }}.json');

type Schema = { [key: string]: unknown };
type Gvk = { group: string; version: string; kind: string };

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** kubeconform's file name for a kind: lower-case kind, first label of the group, version. */
export function schemaFileName({ group, version, kind }: Gvk): string {
  const g = group.split('.')[0] ?? '';
  return `${kind.toLowerCase()}${g ? `-${g.toLowerCase()}` : ''}-${version.toLowerCase()}.json`;
}

/**
 * Converts one OpenAPI (v2 or v3 CRD) schema node to strict JSON schema (draft 4, kubeconform's
 * default). Walks only schema positions, never property names (a property may be called "format").
 */
export function strictify(node: Schema): Schema {
  const intOrString = node['format'] === 'int-or-string' || node['x-kubernetes-int-or-string'] === true;
  if (intOrString) return { oneOf: [{ type: ['string', 'null'] }, { type: 'integer' }] };
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'format' || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string') out[key] = value;
    else if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, strictify(s as Schema)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isObject(value)) {
      out[key] = strictify(value);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((s) => strictify(s as Schema));
    } else out[key] = value;
  }
  // Kubernetes reads an explicit null as "unset": allow it wherever a type is declared.
  if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(node['properties']) && node['additionalProperties'] === undefined && !preserveUnknown) {
    out['additionalProperties'] = false;
  }
  return out;
}

/** Names of the definitions a schema refers to, transitively (recursion-safe). */
function referenced(start: Schema, defs: Record<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObject(v)) return;
    const ref = v['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
      const name = ref.slice('#/definitions/'.length);
      if (!seen.has(name) && defs[name]) {
        seen.add(name);
        visit(defs[name]);
      }
    }
    Object.values(v).forEach(visit);
  };
  visit(start);
  return seen;
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** One standalone strict schema per kind in a Kubernetes swagger 2.0 spec: file name -> schema. */
export function convertSwagger(definitions: Record<string, Schema>): Map<string, Schema> {
  const files = new Map<string, Schema>();
  for (const def of Object.values(definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'] as Gvk[] | undefined;
    if (!gvks || gvks.length !== 1) continue; // shared types such as DeleteOptions are not objects we render
    const [gvk] = gvks as [Gvk];
    const own: Record<string, Schema> = {};
    for (const name of [...referenced(def, definitions)].sort()) {
      // A quantity is written as a string ("500m", "1Gi") or a bare number (cpu: 1).
      own[name] =
        name === QUANTITY
          ? { oneOf: [{ type: ['string', 'null'] }, { type: 'number' }] }
          : strictify(definitions[name] as Schema);
    }
    files.set(schemaFileName(gvk), { ...strictify(def), definitions: own });
  }
  return files;
}

/** Strict schemas for each served version of a CustomResourceDefinition (YAML text). */
export function convertCrd(crdYaml: string): Map<string, Schema> {
  const crd = parse(crdYaml) as {
    spec: {
      group: string;
      names: { kind: string };
      versions: { name: string; served: boolean; schema: { openAPIV3Schema: Schema } }[];
    };
  };
  const files = new Map<string, Schema>();
  for (const v of crd.spec.versions.filter((x) => x.served)) {
    const gvk = { group: crd.spec.group, version: v.name, kind: crd.spec.names.kind };
    files.set(schemaFileName(gvk), strictify(v.schema.openAPIV3Schema));
  }
  return files;
}

/** `go mod download` through the module proxy; returns the extracted module directory. */
function goModDir(moduleAtVersion: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', moduleAtVersion], { cwd: '/', encoding: 'utf8' });
  return (JSON.parse(out) as { Dir: string }).Dir;
}

async function main(): Promise<void> {
  const stamp = join(SCHEMA_DIR, '.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === CONVERTER_STAMP) {
    console.log(`k8s schemas: ${K8S_VERSION} (already in ${relative(root, SCHEMA_DIR)})`);
    return;
  }
  const k8s = goModDir(`k8s.io/kubernetes@${K8S_VERSION}`);
  const swagger = JSON.parse(readFileSync(join(k8s, 'api/openapi-spec/swagger.json'), 'utf8')) as {
    definitions: Record<string, Schema>;
  };
  const files = convertSwagger(swagger.definitions);
  const prom = goModDir(PROM_OPERATOR);
  for (const crd of PROM_CRDS) {
    const text = readFileSync(join(prom, `example/prometheus-operator-crd/monitoring.coreos.com_${crd}.yaml`), 'utf8');
    for (const [name, schema] of convertCrd(text)) files.set(name, schema);
  }
  await rm(SCHEMA_DIR, { recursive: true, force: true });
  await mkdir(SCHEMA_DIR, { recursive: true });
  for (const [name, schema] of files) await writeFile(join(SCHEMA_DIR, name), JSON.stringify(schema));
  await writeFile(stamp, CONVERTER_STAMP);
  console.log(
    `k8s schemas: ${files.size} strict schemas for ${K8S_VERSION} + ServiceMonitor/PodMonitor -> ${relative(root, SCHEMA_DIR)}`,
  );
}

// pathToFileURL, not `file://${argv[1]}`: a checkout path with a space or a % is percent-encoded in the URL.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  });
}
