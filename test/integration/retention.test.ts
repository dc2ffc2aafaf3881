import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connected } from '../../src/cql/connect.ts';
import { currentTables } from '../../src/migrations/catalog.ts';
import { TTL_TABLES } from '../../src/migrations/lifecycle.ts';
import { setAnalyticsRetention, tableTtls } from '../../src/migrations/retention.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { runCli } from '../support/cli.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';

const ks = testKeyspace('recovery_retention');
let c: Connected;

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({ exec: c.exec, keyspace: ks, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
});
afterAll(async () => {
  await dropKeyspace(c, ks);
  await c.exec.close();
});

describe('analytics retention (default_time_to_live)', () => {
  it('sets a TTL on the analytics tables only, which new rows then carry, and 0 turns it off', async () => {
    const r = await runCli(['retention', '--keyspace', ks, '--analytics-days', '30']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ttls = await tableTtls(c.exec, ks);
    for (const t of currentTables())
      expect(ttls[t.name], t.name).toBe((TTL_TABLES as readonly string[]).includes(t.name) ? 30 * 86_400 : 0);
    await c.exec.execute(
      `INSERT INTO ${ks}.turns_by_account_day_bucket (account_id, day, bucket, role, created_at, turn_id, session_id) VALUES ('a', '2026-10-01', 0, 'human', '2026-10-01T10:00:00Z', 't1', 's1')`,
    );
    const ttl = Number(
      (await c.exec.execute(`SELECT TTL(session_id) AS ttl FROM ${ks}.turns_by_account_day_bucket`)).rows[0]!['ttl'],
    );
    expect(ttl).toBeGreaterThan(29 * 86_400);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400);
    await setAnalyticsRetention(c.exec, ks, 0);
    expect(Object.values(await tableTtls(c.exec, ks)).every((v) => v === 0)).toBe(true);
  });

  it('refuses a bad number of days, naming the flag', async () => {
    const r = await runCli(['retention', '--keyspace', ks, '--analytics-days', '-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--analytics-days');
    await expect(setAnalyticsRetention(c.exec, ks, 5000)).rejects.toThrow(/--analytics-days/);
  });
});
