/**
 * What NOTES.txt tells a user after `helm install` (Helm 4 prints it on a client-side dry run, without a
 * cluster): how long upgrades need, and what the connector download really checks.
 */
import { describe, expect, it } from 'vitest';
import { HELM, missingTools, run } from './support/tools.ts';

const why = missingTools();

const notes = async (set: string[] = []): Promise<string> => {
  const args = ['install', 'shop', 'charts/agentstore', '--namespace', 'apps', '--dry-run=client'];
  const r = await run(HELM.helm4, [...args, ...set.flatMap((s) => ['--set', s])], undefined, {
    KUBECONFIG: '/nonexistent',
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.slice(r.stdout.indexOf('NOTES:'));
};

describe.skipIf(why !== null)(`NOTES.txt of charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it('tells that upgrades rerun the hooks and need --timeout 15m', async () => {
    expect(await notes()).toContain('give helm upgrade --timeout 15m');
  });

  it('says an unpinned jar is checked against the repository’s .sha1, not that it is unverified', async () => {
    const text = await notes();
    expect(text).not.toContain('WITHOUT verification');
    expect(text).toContain("checks\n  it only against the repository's own .sha1");
    expect(await notes(['connect.plugin.sha256=' + 'a'.repeat(64)])).not.toContain('.sha1');
  });
});
