/**
 * The helm test pod's test keyspace: a valid CQL keyspace name (at most 48 characters) for every
 * global.keyspace the schema accepts, and never the release's own keyspace, where the test's seed
 * rows would land among the application's.
 */
import { describe, expect, it } from 'vitest';
import { containersOf, podTemplates } from './support/pods.ts';
import { helmTemplate, render } from './support/render.ts';
import { missingTools } from './support/tools.ts';

const CHART = 'charts/agentstore';
const why = missingTools();

const testKeyspace = async (set: string[]): Promise<string> => {
  const { objects } = await render('helm4', { chart: CHART, set });
  const pod = podTemplates(objects).find((p) => p.owner.endsWith('-test'))!;
  return containersOf(pod.spec)
    .find((c) => c.name === 'test')!
    .env!.find((e) => e.name === 'TEST_KEYSPACE')!.value!;
};

describe.skipIf(why !== null)(`helm test keyspace${why ? ` (skipped: ${why})` : ''}`, () => {
  it('is <global.keyspace>_helm_test, cut so that it stays a keyspace name of at most 48 characters', async () => {
    expect(await testKeyspace([])).toBe('agentstore_helm_test');
    const longest = `k${'x'.repeat(47)}`;
    const derived = await testKeyspace([`global.keyspace=${longest}`]);
    expect(derived).toMatch(/^[a-z][a-z0-9_]{0,47}$/);
    expect(derived).toBe(`${longest.slice(0, 38)}_helm_test`);
    expect(await testKeyspace(['tests.keyspace=qa_check'])).toBe('qa_check');
  });

  it('refuses tests.keyspace equal to global.keyspace, naming both', async () => {
    const r = await helmTemplate('helm4', { chart: CHART, set: ['tests.keyspace=agentstore'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('tests.keyspace');
    expect(r.stderr).toContain('global.keyspace');
  });
});
