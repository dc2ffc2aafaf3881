/**
 * `make manifests`: writes to dist/ (or $CDK8S_OUTDIR)
 *   jobs.k8s.yaml         the seed / verify / bench Jobs (apply after the chart is installed)
 *   environment.k8s.yaml  Namespace (Pod Security labels), NetworkPolicies, ResourceQuota
 *   stack.k8s.yaml        environment + the chart rendered through cdk8s's Helm construct + Jobs
 * Options by environment: AGENTSTORE_RELEASE, AGENTSTORE_NAMESPACE, AGENTSTORE_VALUES (comma list).
 */
import { App, Chart } from 'cdk8s';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENV, readEnv } from '../src/config/env.ts';
import { defaultConfig, ROOT, type StackConfig } from '../src/k8s/config.ts';
import { addEnvironment } from './environment.ts';
import { chartServices, renderChart } from '../src/k8s/chart.ts';
import { addJobs } from '../src/k8s/jobs.ts';
import { addStack } from './stack.ts';

const FLAT = { disableResourceNameHashes: true };

/** environment.k8s.yaml, jobs.k8s.yaml (Service names from the chart rendered for the release) and, optionally, stack.k8s.yaml. */
export function buildApp(c: StackConfig, outdir: string, withStack = true): App {
  const app = new App({ outdir });
  addJobs(new Chart(app, 'jobs', FLAT), c, chartServices(renderChart(c)));
  addEnvironment(new Chart(app, 'environment', FLAT), c);
  if (withStack) addStack(new Chart(app, 'stack', FLAT), c);
  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [release, namespace, values] = [ENV.release, ENV.namespace, ENV.values].map((v) => readEnv(process.env, v));
  const config = defaultConfig({
    ...(release ? { release } : {}),
    ...(namespace ? { namespace } : {}),
    ...(values ? { valuesFiles: values.split(',') } : {}),
  });
  const outdir = process.env['CDK8S_OUTDIR'] ?? join(ROOT, 'dist');
  const environment = new App({ outdir });
  addEnvironment(new Chart(environment, 'environment', FLAT), config);
  environment.synth();
  console.log(`wrote ${outdir}/environment.k8s.yaml`);
  try {
    // The Jobs and the stack need the chart rendered: a chart that does not render must not cost the environment.
    const release = new App({ outdir });
    addJobs(new Chart(release, 'jobs', FLAT), config, chartServices(renderChart(config)));
    addStack(new Chart(release, 'stack', FLAT), config);
    release.synth();
    console.log(`wrote ${outdir}/jobs.k8s.yaml, ${outdir}/stack.k8s.yaml`);
  } catch (err) {
    console.error(
      `jobs.k8s.yaml and stack.k8s.yaml not written: the chart did not render for release ${config.release}:\n${(err as Error).message.trim()}\nnext step: fix the chart (helm template charts/agentstore), then run \`make manifests\` again`,
    );
    process.exit(1);
  }
}
