/**
 * The fully rendered stack for GitOps users: the environment, the Helm chart rendered by cdk8s's
 * Helm construct (it runs `helm template`: .tools/bin/helm from `make setup`), and the Jobs, which
 * take the Service names from that same rendering.
 */
import { Helm } from 'cdk8s';
import type { Construct } from 'constructs';
import { chartProps, chartServices, type K8sObject } from '../src/k8s/chart.ts';
import type { StackConfig } from '../src/k8s/config.ts';
import { addJobs } from '../src/k8s/jobs.ts';
import { addEnvironment } from './environment.ts';

function addChart(scope: Construct, c: StackConfig): Helm {
  return new Helm(scope, 'chart', chartProps(c));
}

export function addStack(scope: Construct, c: StackConfig): void {
  addEnvironment(scope, c);
  const chart = addChart(scope, c);
  addJobs(scope, c, chartServices(chart.apiObjects.map((o) => o.toJson() as K8sObject)));
}
