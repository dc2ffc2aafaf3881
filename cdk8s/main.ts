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
import { addJobs } from '../src/k8s/jobs.ts';
import { addStack } from './stack.ts';

export function buildApp(c: StackConfig, outdir: string, withStack = true): App {
  const app = new App({ outdir });
  addJobs(new Chart(app, 'jobs', { disableResourceNameHashes: true }), c);
  addEnvironment(new Chart(app, 'environment', { disableResourceNameHashes: true }), c);
  if (withStack) addStack(new Chart(app, 'stack', { disableResourceNameHashes: true }), c);
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
  buildApp(config, outdir, false).synth();
  console.log(`wrote ${outdir}/jobs.k8s.yaml, ${outdir}/environment.k8s.yaml`);
  try {
    // The chart is rendered last and on its own: a chart that does not render must not cost the other files.
    const app = new App({ outdir });
    addStack(new Chart(app, 'stack', { disableResourceNameHashes: true }), config);
    app.synth();
    console.log(`wrote ${outdir}/stack.k8s.yaml`);
  } catch (err) {
    console.error(
      `stack.k8s.yaml not written: the chart did not render:\n${(err as Error).message.trim()}\nnext step: fix the chart (helm template charts/agentstore), then run \`make manifests\` again`,
    );
    process.exit(1);
  }
}
