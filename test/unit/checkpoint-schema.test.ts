import { describe, expect, it } from 'vitest';
import { checkpoints } from '../../src/migrations/005-checkpoints.ts';
import { renderStep } from '../../src/migrations/runner.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { CqlCheckpointSaver } from '../../src/storage/checkpoint/index.ts';
import { FakeCql } from '../support/fake-cql.ts';

// Migration 5's DDL per dialect, as text (no ScyllaDB server runs here), and the saver's bad input.
const ddl = (dialect: 'scylla' | 'cassandra') => checkpoints.steps.map((s) => renderStep(s, 'ks', dialect));

describe('checkpoint tables (migration 5)', () => {
  it('renders the same plain CQL on both dialects: no CDC, TTL, index or view; newest-first checkpoints', () => {
    expect(ddl('scylla')).toEqual(ddl('cassandra'));
    const all = ddl('scylla').join('\n');
    expect(all).not.toMatch(/cdc|default_time_to_live|INDEX|MATERIALIZED/i);
    expect(all).toMatch(
      /CREATE TABLE IF NOT EXISTS ks\.checkpoints \([\s\S]*PRIMARY KEY \(\(scope, thread_id, checkpoint_ns\), checkpoint_id\)[\s\S]*CLUSTERING ORDER BY \(checkpoint_id DESC\)/,
    );
    expect(all).toMatch(/PRIMARY KEY \(\(scope, thread_id, checkpoint_ns\), channel, version, chunk\)/);
    expect(all).toMatch(/PRIMARY KEY \(\(scope, thread_id, checkpoint_ns\), checkpoint_id, task_id, idx, chunk\)/);
  });

  it('refuses bad configuration and calls without a thread_id, naming the field, before any statement', async () => {
    const exec = new FakeCql();
    expect(() => new CqlCheckpointSaver({ exec, keyspace: 'Bad-Name' })).toThrow(/keyspace/);
    expect(() => new CqlCheckpointSaver({ exec, keyspace: 'ks', chunkBytes: 2 * 1024 * 1024 })).toThrow(/chunkBytes/);
    expect(() => new CqlCheckpointSaver({ exec, keyspace: 'ks', scope: '' })).toThrow(/scope/);
    const saver = new CqlCheckpointSaver({ exec, keyspace: 'ks' });
    const cp = { v: 4, id: 'x', ts: '', channel_values: {}, channel_versions: {}, versions_seen: {} };
    const meta = { source: 'input' as const, step: -1, parents: {} };
    await expect(saver.put({}, cp, meta, {})).rejects.toThrow(/config\.configurable/);
    const err = await saver.put({ configurable: {} }, cp, meta, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('config.configurable.thread_id');
    await expect(saver.putWrites({ configurable: { thread_id: 't' } }, [], 'task')).rejects.toThrow(/checkpoint_id/);
    await expect(saver.prune('t', { keepLatest: 0 })).rejects.toThrow(/keepLatest/);
    await expect(saver.sweepIdle(new Date('nope'))).rejects.toThrow(/olderThan/);
    expect(exec.executed).toEqual([]);
  });
});
