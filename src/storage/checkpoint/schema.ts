import type { CqlExecutor } from '../../cql/executor.ts';
import type { Dialect } from '../../cql/dialect.ts';
import { checkpoints } from '../../migrations/005-checkpoints.ts';
import { renderStep } from '../../migrations/runner.ts';
import { createKeyspaceCql, type ReplicationOptions } from '../../schema/table.ts';

/**
 * A keyspace holding migration 5's tables only, for a checkpointer on its own (tests, the bench).
 * A full agentstore keyspace gets them from `agentstore migrate` like every other table.
 */
export async function createCheckpointKeyspace(
  exec: CqlExecutor,
  keyspace: string,
  dialect: Dialect,
  replication: ReplicationOptions,
): Promise<void> {
  await exec.execute(createKeyspaceCql(keyspace, dialect, replication));
  for (const step of checkpoints.steps) await exec.execute(renderStep(step, keyspace, dialect));
}
