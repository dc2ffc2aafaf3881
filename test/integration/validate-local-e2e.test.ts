import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cqlSettings } from '../../src/config/settings.ts';
import { connectCql, type Connected } from '../../src/cql/connect.ts';
import { currentTables } from '../../src/migrations/catalog.ts';
import type { TablePartitions } from '../../src/store/partitions.ts';
import type { CdcResult } from '../../src/validate/cdc-local.ts';
import { localSteps } from '../../src/validate/local-steps.ts';
import { runValidate } from '../../src/validate/orchestrator.ts';
import { RecordingProgress } from '../../src/validate/testing/fakes.ts';
import type { VerifyReport } from '../../src/verify/verify.ts';

// Local mode end to end on the real services (`make test` starts them): >= 2k sessions, every key
// query on the CQL store, and the CDC path (stand-in feed -> Kafka -> projector -> Redis) with lag.
const keyspace = `t_validate_${randomBytes(3).toString('hex')}`;
let c: Connected | undefined;

beforeAll(async () => {
  // No skip when the services are down: `make test` starts them, and a run without them is a failure.
  c = await connectCql(cqlSettings({}));
});
afterAll(async () => {
  await c?.exec.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await c?.exec.close();
});

describe('make validate, local mode, end to end', () => {
  it('migrates, seeds 2000 sessions, verifies every key query, and verifies the CDC path with its lag', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'validate-e2e-'));
    const progress = new RecordingProgress();
    const { exitCode, outcome } = await runValidate({
      target: { kind: 'local', reasons: ['test'] },
      progress,
      reportDir,
      steps: localSteps({
        keyspace,
        fresh: true,
        dataset: { seed: 42, sessions: 2000, accounts: 100, days: 30 },
        cdcSessions: 2000,
        cdcWrites: 100,
        timeoutMs: 300_000,
      }),
    });
    expect(outcome.failure, progress.text).toBeUndefined();
    expect(exitCode).toBe(0);
    expect(outcome.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'preflight:ok',
      'install:ok',
      'migrate:ok',
      'seed:ok',
      'verify queries:ok',
      'partitions:ok',
      'verify CDC:ok',
      'report:ok',
    ]);
    const verify = outcome.ctx.data['verify'] as VerifyReport;
    expect(verify.passed).toBe(true);
    expect(verify.queries.length).toBe(13);
    // Every table measured; no partition near ScyllaDB's 100,000-row warning at this size.
    const partitions = outcome.ctx.data['partitions'] as TablePartitions[];
    expect(partitions.map((t) => t.table).sort()).toEqual(
      currentTables()
        .map((t) => t.name)
        .sort(),
    );
    for (const t of partitions) expect(t.mostRows?.rows ?? 0, t.table).toBeLessThan(1000);
    const cdc = outcome.ctx.data['cdc'] as CdcResult;
    expect(cdc.report.passed).toBe(true);
    expect(cdc.writes).toBe(100);
    expect(cdc.published).toBeGreaterThan(2000 * 10);
    expect(outcome.ctx.notExercised).toContain('Kubernetes and the Helm chart (no reachable cluster, no docker+kind)');
  }, 600_000);
});
