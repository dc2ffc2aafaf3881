import type { DriverExecutor } from '../cql/driver.ts';
import type { Statement } from '../cql/executor.ts';
import { datasetSchedules, generateSessions, type SeedConfig } from '../seed/generator.ts';
import { scheduleStatements, seed, seedStatements } from '../seed/seeder.ts';

export interface SeedingFigures {
  statements: number;
  steps: number;
  oursRowsPerSec: number;
  ceilingRowsPerSec: number;
  ratio: number;
}

/** Ours: the seeder end to end (generate, plan, write). Returns rows/s. */
async function oursRun(exec: DriverExecutor, ks: string, config: SeedConfig, concurrency: number) {
  const t0 = performance.now();
  const result = await seed(exec, ks, config, { concurrency });
  return { ...result, rate: result.statements / ((performance.now() - t0) / 1000) };
}

/**
 * Ceiling: the same prepared statements, generated before the clock starts, sent by a bare loop
 * through cassandra-driver at the same concurrency (without the seeder's per-session phase order).
 */
async function ceilingRun(exec: DriverExecutor, ks: string, config: SeedConfig, concurrency: number): Promise<number> {
  const schedules = datasetSchedules(config);
  const statements: Statement[] = [
    ...scheduleStatements(ks, schedules),
    ...[...seedStatements(ks, generateSessions(config), { sessions: 0, steps: 0, statements: 0 }, schedules)].flat(2),
  ];
  const client = exec.client;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < statements.length) {
        const s = statements[next++]!;
        await client.execute(s.query, s.params as never, { prepare: true });
      }
    }),
  );
  return statements.length / ((performance.now() - t0) / 1000);
}

/**
 * Rounds alternate ceiling then ours, each into a keyspace `fresh()` just emptied, so both insert
 * rather than overwrite and neither always gets the cold JVM or the cold server. Best of each.
 */
export async function benchSeeding(
  exec: DriverExecutor,
  fresh: () => Promise<string>,
  config: SeedConfig,
  concurrency: number,
  rounds = 2,
): Promise<SeedingFigures> {
  let best = { ours: 0, ceiling: 0, statements: 0, steps: 0 };
  for (let r = 0; r < rounds; r++) {
    const ceiling = await ceilingRun(exec, await fresh(), config, concurrency);
    const ours = await oursRun(exec, await fresh(), config, concurrency);
    best = {
      ours: Math.max(best.ours, ours.rate),
      ceiling: Math.max(best.ceiling, ceiling),
      statements: ours.statements,
      steps: ours.steps,
    };
  }
  return {
    statements: best.statements,
    steps: best.steps,
    oursRowsPerSec: best.ours,
    ceilingRowsPerSec: best.ceiling,
    ratio: best.ours / best.ceiling,
  };
}
