/**
 * The redis subchart's auth and start-up settings as they reach every pod that uses Redis: your own
 * Secret under your own key (Bitnami's auth.existingSecretPasswordKey), and the startup probe's budget
 * for a long AOF load. How the password reaches redis-server: test/integration/chart-commands.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { containersOf, podTemplates } from './support/pods.ts';
import { render } from './support/render.ts';
import { missingTools } from './support/tools.ts';
import { wiringFindings } from './support/wiring.ts';

const CHART = 'charts/agentstore';
const why = missingTools();

describe.skipIf(why !== null)(`redis in charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it('reads the password from auth.existingSecret under auth.existingSecretPasswordKey, in Redis and in its clients', async () => {
    const { objects } = await render('helm4', {
      chart: CHART,
      release: 'rel',
      namespace: 'ns',
      set: ['redis.auth.existingSecret=shared-redis', 'redis.auth.existingSecretPasswordKey=redis-password'],
    });
    expect(objects.filter((o) => o.kind === 'Secret' && o.metadata.name.includes('redis'))).toEqual([]);
    const refs = podTemplates(objects).flatMap((p) =>
      containersOf(p.spec).flatMap((c) =>
        (c.env ?? [])
          .filter((e) => ['REDIS_PASSWORD', 'REDISCLI_AUTH', 'AGENTSTORE_REDIS_PASSWORD'].includes(e.name))
          .map(
            (e) => `${p.owner} ${e.name} ${e.valueFrom?.['secretKeyRef']?.name}/${e.valueFrom?.['secretKeyRef']?.key}`,
          ),
      ),
    );
    expect(refs.sort()).toEqual([
      'Deployment/rel-agentstore-projector AGENTSTORE_REDIS_PASSWORD shared-redis/redis-password',
      'Pod/rel-agentstore-test AGENTSTORE_REDIS_PASSWORD shared-redis/redis-password',
      'StatefulSet/rel-agentstore-redis REDISCLI_AUTH shared-redis/redis-password',
      'StatefulSet/rel-agentstore-redis REDIS_PASSWORD shared-redis/redis-password',
    ]);
    expect(wiringFindings(objects, { namespace: 'ns', external: ['Secret/shared-redis'] })).toEqual([]);
  });

  it('gives a long AOF load startupTimeoutSeconds before liveness may restart Redis', async () => {
    const redis = async (set: string[]) => {
      const { objects } = await render('helm4', { chart: CHART, set });
      const pod = podTemplates(objects).find((p) => p.owner.endsWith('-redis'))!;
      return containersOf(pod.spec)[0] as unknown as Record<
        string,
        { periodSeconds: number; failureThreshold: number; initialDelaySeconds?: number }
      >;
    };
    const budget = (c: Record<string, { periodSeconds: number; failureThreshold: number }>) =>
      c['startupProbe']!.periodSeconds * c['startupProbe']!.failureThreshold;
    expect(budget(await redis([]))).toBe(600);
    expect(budget(await redis(['redis.startupTimeoutSeconds=1800']))).toBe(1800);
    expect((await redis([]))['livenessProbe']!.initialDelaySeconds).toBeUndefined();
  });
});
