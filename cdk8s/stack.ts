/**
 * The fully rendered stack for GitOps users: the environment, the Helm chart rendered by cdk8s's
 * Helm construct (it runs `helm template`: .tools/bin/helm from `make setup`), and the Jobs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Helm } from 'cdk8s';
import type { Construct } from 'constructs';
import { ROOT, type StackConfig } from '../src/k8s/config.ts';
import { addEnvironment } from './environment.ts';
import { addJobs } from '../src/k8s/jobs.ts';

export function helmBinary(): string {
  const local = join(ROOT, '.tools/bin/helm');
  return existsSync(local) ? local : 'helm';
}

export function addChart(scope: Construct, c: StackConfig): Helm {
  return new Helm(scope, 'chart', {
    chart: c.chartDir,
    releaseName: c.release,
    namespace: c.namespace,
    helmExecutable: helmBinary(),
    values: {},
    helmFlags: [...c.valuesFiles.flatMap((f) => ['--values', join(ROOT, f)]), '--kube-version', '1.33.0'],
  });
}

export function addStack(scope: Construct, c: StackConfig): void {
  addEnvironment(scope, c);
  addChart(scope, c);
  addJobs(scope, c);
}
