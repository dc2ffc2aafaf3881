import { describe, expect, it } from 'vitest';
import { partitionFigures } from '../../src/validate/partitions.ts';
import { ValidateFailure } from '../../src/validate/types.ts';

// The sandbox path reads the figures from `helm test --logs` (the test pod's partitions step).
const helmTest = [
  'POD LOGS: agentstore-test',
  '== verify: node /app/agentstore.mjs verify --keyspace agentstore_test --sessions 60 --seed 7',
  'all key queries match the ground truth',
  '-- verify: ok (9 s)',
  '',
  '== partitions: node /app/agentstore.mjs partitions --keyspace agentstore_test',
  'connected to agentstore-scylladb:9042 (cassandra 5.0.9); keyspace agentstore_test',
  'table                                       rows     parts  most bytes               most rows',
  'sessions                                      60        60  0.1 KiB (1 rows)         1 rows (0.1 KiB) ["ses_1"]',
  'steps_by_account_day_bucket                  840        75  2.9 KiB (39 rows)        39 rows (2.9 KiB) ["acct_2","2026-11-02",0]',
  'largest partition: 39 rows; most bytes: 2.9 KiB',
  '-- partitions: ok (3 s)',
  'RESULT: PASS',
];

describe('partitionFigures', () => {
  it("finds the partitions command's table and summary in a pod's log", () => {
    const f = partitionFigures(helmTest, "helm test's partitions step");
    expect(f.summary).toBe('largest partition: 39 rows; most bytes: 2.9 KiB');
    expect(f.table).toHaveLength(4);
    expect(f.table[0]).toMatch(/^table\s+rows\s+parts/);
    expect(f.table[2]).toContain('steps_by_account_day_bucket');
  });

  it('a log without them (a chart whose test pod skipped the step) fails, naming where and what to run', () => {
    const without = helmTest.filter((l) => !l.startsWith('largest partition'));
    let failure: unknown;
    try {
      partitionFigures(without, "helm test's partitions step");
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(ValidateFailure);
    expect((failure as ValidateFailure).reason).toBe(
      `helm test's partitions step printed no partition figures (no "largest partition:" line after its table)`,
    );
    expect((failure as ValidateFailure).nextStep).toContain('agentstore partitions --keyspace');
    expect((failure as ValidateFailure).details).toContain('RESULT: PASS');
  });
});
