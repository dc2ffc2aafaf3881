import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { envOf } from '../support/readside.ts';
import { useStandinStack } from '../support/standin-stack.ts';

// `agentstore cdc-probe` (what helm test runs in the cluster), here with the CDC stand-in in place of
// ScyllaDB CDC and the connector: it passes only when the projector really shows every probe in Redis.
const s = useStandinStack('probe');
const probe = (...args: string[]) =>
  runCli(['cdc-probe', '--cdc-standin', ...args], { ...envOf(s.rs), AGENTSTORE_KEYSPACE: s.ks });

describe('agentstore cdc-probe', () => {
  it('fails, naming what is missing and where to look, when nothing projects the changes', async () => {
    const r = await probe('--writes', '3', '--timeout', '4');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/3 of 3 probe conversations not visible in the read models after 4 s/);
    expect(r.stderr).toMatch(/next: check the connector/);
  });

  it('passes once the projector runs, and reports the lag', async () => {
    await s.startProjector();
    const r = await probe('--writes', '8', '--timeout', '120');
    expect(r.stderr).toContain('visible in Redis: 8/8');
    expect(r.stdout).toMatch(
      /^CDC path ok: 8 probe conversations \(run [0-9a-f]{8}, keyspace \w+\) visible in the read models in [\d.]+ s; lag p50 \d+ ms, p99 \d+ ms$/m,
    );
    expect(r.code).toBe(0);
    // The probes of the failed run above are now projected too: both runs are in Redis, 11 sessions.
    const sessions = await s.redis.keys(`${s.rs.keyPrefix}:*:s:probe-*`);
    expect(sessions).toHaveLength(11);
  });

  it('names a bad flag and exits 2', async () => {
    const r = await probe('--writes', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--writes must be a whole number from 1 to 10000/);
  });
});
