import type { DriverExecutor } from '../cql/driver.ts';
import type { Statement } from '../cql/executor.ts';
import { generateSessions, type SeedConfig } from '../seed/generator.ts';
import { seed, seedStatements } from '../seed/seeder.ts';

export interface SeedingFigures {
  statements: number;
  steps: number;
  oursRowsPerSec: number;
  ceilingRowsPerSec: number;
  ratio: number;
}

/**
 * Ours: the seeder end to end (generate, plan, write). Ceiling: the same prepared statements,
 * generated beforehand, sent by a bare loop through cassandra-driver at the same concurrency.
 * Each run writes into a fresh keyspace, so both insert rather than overwrite.
 */
export async function benchSeeding(exec: DriverExecutor, oursKs: string, ceilingKs: string, config: SeedConfig, concurrency: number): Promise<SeedingFigures> {
  const t0 = performance.now();
  const ours = await seed(exec, oursKs, config, { concurrency });
  const oursSecs = (performance.now() - t0) / 1000;

  const statements: Statement[] = [...seedStatements(ceilingKs, generateSessions(config), { sessions: 0, steps: 0, statements: 0 })];
  const client = exec.client;
  let next = 0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < statements.length) {
        const s = statements[next++]!;
        await client.execute(s.query, s.params as never, { prepare: true });
      }
    }),
  );
  const ceilingSecs = (performance.now() - t1) / 1000;
  const oursRate = ours.statements / oursSecs;
  const ceilingRate = statements.length / ceilingSecs;
  return { statements: ours.statements, steps: ours.steps, oursRowsPerSec: oursRate, ceilingRowsPerSec: ceilingRate, ratio: oursRate / ceilingRate };
}
