import type { CqlExecutor, Statement } from '../cql/executor.ts';
import { forEachBounded } from '../util/bounded.ts';
import { generateSessions, type SeedConfig, type SessionModel } from './generator.ts';
import { sessionStatements } from './plan.ts';

export interface SeedProgress {
  sessions: number;
  steps: number;
  statements: number;
}

export interface SeedOptions {
  concurrency: number;
  onProgress?: (p: SeedProgress) => void;
}

/** The statements of every generated session, lazily: memory stays flat whatever the size. */
export function* seedStatements(
  ks: string,
  models: Iterable<SessionModel>,
  progress: SeedProgress,
): Generator<Statement> {
  for (const model of models) {
    const statements = sessionStatements(ks, model);
    progress.sessions++;
    progress.steps += model.steps.length;
    yield* statements;
  }
}

/**
 * Writes the generated dataset with at most `concurrency` statements in flight. Deterministic ids
 * make it idempotent: a re-run, or a run resumed after a crash, rewrites the same rows.
 */
export async function seed(
  exec: CqlExecutor,
  ks: string,
  config: SeedConfig,
  opts: SeedOptions,
): Promise<SeedProgress> {
  const progress: SeedProgress = { sessions: 0, steps: 0, statements: 0 };
  const timer = opts.onProgress ? setInterval(() => opts.onProgress!(progress), 250) : undefined;
  try {
    await forEachBounded(seedStatements(ks, generateSessions(config), progress), opts.concurrency, async (s) => {
      await exec.run(s);
      progress.statements++;
    });
  } finally {
    if (timer) clearInterval(timer);
  }
  opts.onProgress?.(progress);
  return progress;
}
