import { randomBytes } from 'node:crypto';
import { LOCAL } from '../../src/config/local-services.ts';
import type { Connected } from '../../src/cql/connect.ts';
import {
  createCheckpointKeyspace,
  CqlCheckpointSaver,
  type CqlCheckpointSaverOptions,
} from '../../src/storage/checkpoint/index.ts';
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
  await createCheckpointKeyspace(c.exec, keyspace, c.dialect, {
    datacenter: LOCAL.cqlDatacenter,
    replicationFactor: 1,
  });
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
