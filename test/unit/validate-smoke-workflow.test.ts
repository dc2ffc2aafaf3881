import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KIND_CLUSTER, KIND_CONFIG } from '../../src/validate/target.ts';
import { REPO_ROOT } from '../../src/util/repo.ts';

// .github/workflows/smoke.yml cannot run here (no docker): this keeps what it names real.
const ROOT = REPO_ROOT;
const text = readFileSync(join(ROOT, '.github/workflows/smoke.yml'), 'utf8');
const wf = parse(text) as {
  jobs: Record<
    string,
    {
      strategy: { matrix: { kubernetes: string[]; helm: string[] } };
      steps: { name?: string; run?: string; uses?: string; with?: Record<string, string> }[];
    }
  >;
};
const job = wf.jobs['kind']!;
const runs = job.steps.map((s) => s.run ?? '').join('\n');
const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
const targets = new Set([...makefile.matchAll(/^([A-Za-z][\w-]*):/gm)].map((m) => m[1]!));

describe('.github/workflows/smoke.yml', () => {
  const named = [...new Set([...runs.matchAll(/\bmake ([a-z][\w-]*)/g)].map((m) => m[1]!))];

  it('names make targets', () => expect(named).toEqual(expect.arrayContaining(['validate', 'clean-cluster'])));

  for (const target of named) {
    it(`make ${target} exists in the Makefile`, () => {
      expect(targets.has(target), `Makefile target ${target}`).toBe(true);
    });
  }

  it('every repository path it names exists', () => {
    const paths = [...text.matchAll(/\b((?:scripts|values|charts|cdk8s|src)\/[\w./-]+\.(?:ya?ml|ts|sh))\b/g)].map(
      (m) => m[1]!,
    );
    expect(paths).toContain(KIND_CONFIG);
    for (const p of paths) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });

  it('the values files validate picks exist', () => {
    for (const f of ['values/kind.yaml', 'values/k3s.yaml']) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });

  it('matrix: Kubernetes 1.31-1.33 x Helm 3 and 4', () => {
    const m = job.strategy.matrix;
    expect(m.kubernetes.map((v) => v.split('.').slice(0, 2).join('.'))).toEqual(['1.31', '1.32', '1.33']);
    expect(m.helm.map((v) => v.split('.')[0])).toEqual(['3', '4']);
  });

  it('creates the kind cluster validate reuses, from the committed config, and uploads .reports even on failure', () => {
    expect(runs).toContain(`kind create cluster --name ${KIND_CLUSTER} --config ${KIND_CONFIG}`);
    const kindConfig = parse(readFileSync(join(ROOT, KIND_CONFIG), 'utf8')) as {
      kind: string;
      name: string;
      nodes: unknown[];
    };
    expect(kindConfig).toMatchObject({ kind: 'Cluster', name: KIND_CLUSTER });
    expect(kindConfig.nodes).toHaveLength(1);
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with?.['path']).toBe('.reports/');
    expect((upload as { if?: string }).if).toBe('always()');
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\.reports\/$/m);
  });
});
