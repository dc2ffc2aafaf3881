/**
 * The scylladb subchart as the official image needs it: the image runs as its non-root user scylla
 * (scylladb 781dec5852) and its entrypoint writes on the data volume, so the pod makes the volume
 * writable for it (fsGroup, changed only when the volume's root does not match); and the shard-aware
 * CQL port is on the Services as on the pods. Sources: charts/agentstore/README.md, "ScyllaDB".
 */
import { describe, expect, it } from 'vitest';
import { podTemplates } from './support/pods.ts';
import { render, type K8sObject } from './support/render.ts';
import { missingTools } from './support/tools.ts';

const why = missingTools();
const scylla = (objects: K8sObject[]) => podTemplates(objects).find((p) => p.owner.endsWith('-scylladb'))!;

describe.skipIf(why !== null)(`scylladb in charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it('runs as the image’s own user with the data volume handed to fsGroup once (OnRootMismatch), not as root', async () => {
    const { objects } = await render('helm4', { chart: 'charts/agentstore' });
    const pod = scylla(objects);
    const spec = pod.spec as {
      securityContext?: Record<string, unknown>;
      containers: { securityContext?: Record<string, unknown> }[];
    };
    expect(spec.securityContext).toEqual({ fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch' });
    for (const c of spec.containers) {
      expect(c.securityContext?.['runAsUser']).toBeUndefined();
      expect(c.securityContext?.['allowPrivilegeEscalation']).toBe(false);
    }
  });

  it('serves the shard-aware CQL port 19042 next to 9042 on both Services', async () => {
    const { objects } = await render('helm4', { chart: 'charts/agentstore', release: 'rel' });
    const services = objects.filter((o) => o.kind === 'Service' && o.metadata.name.includes('-scylladb-'));
    expect(services.map((o) => o.metadata.name).sort()).toEqual([
      'rel-agentstore-scylladb-client',
      'rel-agentstore-scylladb-headless',
    ]);
    for (const svc of services) {
      const ports = (svc['spec'] as { ports: { name: string; port: number; targetPort: string }[] }).ports;
      expect(ports).toEqual(
        expect.arrayContaining([
          { name: 'cql', port: 9042, targetPort: 'cql' },
          { name: 'cql-shard', port: 19042, targetPort: 'cql-shard' },
        ]),
      );
    }
  });
});
