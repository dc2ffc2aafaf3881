import type pg from 'pg';
import { ValidationError } from '../../domain/errors.ts';
import type { CqlExecutor } from '../../cql/executor.ts';
import type { Dialect } from '../../cql/dialect.ts';
import type { Clock } from '../component.ts';
import { MemoryBackend } from './memory.ts';
import { BACKEND_NAMES, type BackendName, type StorageBackend } from './types.ts';

/**
 * One config object for every backend. A client may be given (dependency injection: the backend
 * then never closes it) or described by its address (the backend opens and closes it).
 */
export type StorageConfig =
  | { backend: 'memory'; maxValueBytes?: number }
  | {
      backend: 'cql';
      keyspace: string;
      maxValueBytes?: number;
      /** An executor to use; or where to connect (contactPoints "host:port,...", localDataCenter). */
      cql:
        | { exec: CqlExecutor; dialect: Dialect }
        | {
            contactPoints: string;
            localDataCenter: string;
            username?: string;
            password?: string;
            dialect?: Dialect | 'auto';
          };
    }
  | {
      backend: 'postgres';
      maxValueBytes?: number;
      postgres: { pool: pg.Pool } | { url: string; schema: string };
    };

const systemClock: Clock = { now: () => new Date() };

/** Builds the backend a config names; an unknown name is a ValidationError naming `backend`. */
export async function createStorage(config: StorageConfig, deps: { clock?: Clock } = {}): Promise<StorageBackend> {
  const clock = deps.clock ?? systemClock;
  const name = (config as { backend?: unknown })?.backend;
  if (!BACKEND_NAMES.includes(name as BackendName))
    throw new ValidationError(
      'backend',
      `unknown backend ${JSON.stringify(name)}: use one of ${BACKEND_NAMES.join(', ')}`,
    );
  switch (config.backend) {
    case 'memory':
      return new MemoryBackend(
        clock,
        config.maxValueBytes === undefined ? {} : { maxValueBytes: config.maxValueBytes },
      );
    case 'cql':
      return (await import('./cql.ts')).openCqlBackend(config, clock);
    case 'postgres':
      return (await import('./postgres.ts')).openPgBackend(config, clock);
  }
}
