/**
 * `helm install` keeps working as the chart grows: the Secret Helm stores the release in stays well
 * under Kubernetes' 1 MiB, for the default values and every values file. Measured with Helm 4: Helm 3's
 * `install --dry-run` needs a reachable cluster, and both store the same release format (release v1).
 * The margin is room for the next features; a change that eats it fails here, not at a user's install.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECRET_LIMIT, storedRelease } from './support/release-size.ts';
import { missingTools, ROOT } from './support/tools.ts';

/**
 * At most this share of the limit (charts/agentstore/README.md, "Release size"): 71% since the backup
 * CronJob brought the AWS SDK's S3 client into the bundle (+147 KB brotli); the next big addition needs
 * a smaller S3 client or a bundle of its own, not a higher line.
 */
const MAX_SHARE = 0.75;
const CHART = join(ROOT, 'charts/agentstore');
const VALUES = [
  'values/kind.yaml',
  'values/k3s.yaml',
  'values/ci.yaml',
  'values/production-like.yaml',
  'values/external-kafka.yaml',
];
// The longest release name the chart accepts: names recur in every object of the manifest.
const RELEASE = 'a'.repeat(43);

const tools = missingTools();
describe.skipIf(tools !== null)(`the stored Helm release${tools ? ` (skipped: ${tools})` : ''}`, () => {
  const cases = [undefined, ...VALUES].map((values) => ({ values, label: values ?? 'default values' }));

  it.each(cases)(`$label: under ${MAX_SHARE * 100}% of the 1 MiB Secret`, async ({ values }) => {
    const { secretBytes } = await storedRelease('helm4', {
      chart: CHART,
      release: RELEASE,
      namespace: 'agentstore',
      valuesFiles: values ? [join(ROOT, values)] : [],
    });
    expect(
      secretBytes,
      `release Secret ${secretBytes} bytes = ${((secretBytes / SECRET_LIMIT) * 100).toFixed(1)}% of 1 MiB`,
    ).toBeLessThanOrEqual(MAX_SHARE * SECRET_LIMIT);
  });

  it('stores the CLI bundle once: in the rendered ConfigMap, not also as a chart file', async () => {
    const { release } = await storedRelease('helm4', { chart: CHART, release: 'agentstore', namespace: 'agentstore' });
    expect((release.chart.files ?? []).map((f) => f.name)).not.toContain('files/agentstore.mjs.br');
    expect(release.manifest).toMatch(/agentstore\.mjs\.br: [A-Za-z0-9+/]{1000}/);
  });
});
