import { randomBytes } from 'node:crypto';
import { LOCAL } from '../../src/config/local-services.ts';
import type { Connected } from '../../src/cql/connect.ts';
import { checkpoints } from '../../src/migrations/005-checkpoints.ts';
import { renderStep } from '../../src/migrations/runner.ts';
import { createKeyspaceCql } from '../../src/schema/table.ts';
import { CqlCheckpointSaver, type CqlCheckpointSaverOptions } from '../../src/storage/checkpoint/index.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from './cql.ts';

/**
 * A keyspace of its own (named for the checkpointer branch) holding migration 5's tables only: the
 * saver reads and writes nothing else, and the full migration chain is covered by migrations.test.ts.
 */
export interface CheckpointKeyspace {
  c: Connected;
  keyspace: string;
  saver(options?: Partial<CqlCheckpointSaverOptions>): CqlCheckpointSaver;
  close(): Promise<void>;
}

const randomScope = (): string => `s_${randomBytes(6).toString('hex')}`;

export async function checkpointKeyspace(): Promise<CheckpointKeyspace> {
  const c = await connectTestCql();
  const keyspace = testKeyspace('checkpointer');
  await c.exec.execute(
    createKeyspaceCql(keyspace, c.dialect, { datacenter: LOCAL.cqlDatacenter, replicationFactor: 1 }),
  );
  for (const step of checkpoints.steps) await c.exec.execute(renderStep(step, keyspace, c.dialect));
  return {
    c,
    keyspace,
    saver: (options = {}) => new CqlCheckpointSaver({ exec: c.exec, keyspace, scope: randomScope(), ...options }),
    async close() {
      await dropKeyspace(c, keyspace);
      await c.exec.close();
    },
  };
}
