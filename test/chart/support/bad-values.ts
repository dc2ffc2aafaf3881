/**
 * Bad inputs for a chart, as `--set-json` overrides, each with the field helm's error must name.
 * Derived from the chart's default values (and its subcharts') so the table follows the chart:
 * unknown keys (top level and in every top-level section), negative replica counts, unparseable
 * storage sizes, and wrong types for numbers and booleans. Charts can add cases by hand.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface BadValue {
  /** Test title. */
  name: string;
  /** `path=json` for helm's --set-json. */
  setJson: string;
  /** helm's error message must contain this (the offending field). */
  names: string;
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
/**
 * Kubernetes objects a chart passes through verbatim (toYaml): their values schema may leave them
 * open, since kubeconform (here) and the API server (on install) check them, naming the field.
 */
const PASSTHROUGH =
  /^(securityContext|podSecurityContext|containerSecurityContext|resources|affinity|tolerations|nodeSelector|topologySpreadConstraints|annotations|labels|podAnnotations|podLabels)$/;

/** Leaves of a values tree with their dotted paths (arrays are not descended into). */
function leaves(tree: Tree, prefix: string[] = []): { path: string[]; value: unknown }[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    isTree(v) && Object.keys(v).length ? leaves(v, [...prefix, k]) : [{ path: [...prefix, k], value: v }],
  );
}

/** helm --set path syntax: dots inside a key are escaped. */
const setPath = (path: string[]): string => path.map((p) => p.replace(/\./g, '\\.')).join('.');

/** Default values as the umbrella sees them: its own, plus each unpacked subchart's under its name. */
function defaultValues(chartDir: string): Tree {
  const read = (dir: string): Tree =>
    existsSync(join(dir, 'values.yaml')) ? ((parse(readFileSync(join(dir, 'values.yaml'), 'utf8')) ?? {}) as Tree) : {};
  const values = read(chartDir);
  const sub = join(chartDir, 'charts');
  for (const name of existsSync(sub) ? readdirSync(sub).sort() : []) {
    if (!existsSync(join(sub, name, 'Chart.yaml'))) continue;
    const own = values[name];
    values[name] = { ...read(join(sub, name)), ...(isTree(own) ? own : {}) };
  }
  return values;
}

/** Wrong-type cases are capped per top-level section, so every component gets a few. */
export function badValuesFor(chartDir: string, max = { numbers: 3, booleans: 2 }): BadValue[] {
  const values = defaultValues(chartDir);
  const cases: BadValue[] = [{ name: 'unknown top-level key', setJson: 'notAValue=1', names: 'notAValue' }];
  for (const [section, v] of Object.entries(values)) {
    if (isTree(v) && section !== 'global')
      cases.push({ name: `unknown key in ${section}`, setJson: `${section}.notAValue=1`, names: 'notAValue' });
  }
  const all = leaves(values);
  const count = new Map<string, number>();
  const take = (kind: string, path: string[], limit: number): boolean => {
    const k = `${kind} ${path[0]}`;
    const n = count.get(k) ?? 0;
    count.set(k, n + 1);
    return n < limit;
  };
  for (const { path, value } of all) {
    if (path.some((p) => PASSTHROUGH.test(p))) continue;
    const key = path[path.length - 1] ?? '';
    const p = setPath(path);
    if (/^(replicas|replicaCount)$/.test(key) && typeof value === 'number') {
      cases.push({ name: `negative ${p}`, setJson: `${p}=-1`, names: key });
    } else if (/size|storage/i.test(key) && typeof value === 'string' && QUANTITY.test(value)) {
      cases.push({ name: `bad storage size ${p}`, setJson: `${p}="lots"`, names: key });
    } else if (typeof value === 'number' && take('number', path, max.numbers)) {
      cases.push({ name: `string for number ${p}`, setJson: `${p}="abc"`, names: key });
    } else if (typeof value === 'boolean' && take('boolean', path, max.booleans)) {
      cases.push({ name: `string for boolean ${p}`, setJson: `${p}="yes"`, names: key });
    }
  }
  return cases;
}
