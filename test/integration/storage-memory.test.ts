import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.ts';
import { createStorage } from '../../src/storage/backend/factory.ts';
import type { Clock } from '../../src/storage/component.ts';
import { taskContextConformance } from '../../src/storage/conformance/context.ts';
import { conversationStoreConformance } from '../../src/storage/conformance/conversations.ts';
import { sessionStoreConformance } from '../../src/storage/conformance/sessions.ts';

const maxValueBytes = 4096;
const open = (clock: Clock) => createStorage({ backend: 'memory', maxValueBytes }, { clock });

conversationStoreConformance('memory', open);
taskContextConformance('memory', open, { maxValueBytes });
sessionStoreConformance('memory', open);

describe('the storage factory', () => {
  it('refuses an unknown backend, naming the field', async () => {
    const err = await createStorage({ backend: 'redis' } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('backend');
    expect((err as Error).message).toMatch(/memory, cql, postgres/);
  });

  it('reports health with per-check latency and counts operations', async () => {
    const b = await createStorage({ backend: 'memory' });
    await b.init();
    const health = await b.health();
    expect(health.status).toBe('ok');
    expect(health.checks[0]).toMatchObject({ name: 'memory', ok: true });
    expect(health.checks[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    await b.sessions.getSession('nobody');
    await b.sessions.getSession('').catch(() => {});
    expect(b.metrics().operations['sessions.getSession']).toMatchObject({ calls: 2, errors: 1 });
    await b.close();
  });
});
