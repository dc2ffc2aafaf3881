import type pg from 'pg';
import { ValidationError } from '../../domain/errors.ts';
import { connectPg, SCHEMA_PATTERN } from '../../postgres/connect.ts';
import { pgSchemaVersion } from '../../postgres/migrate.ts';
import { PG_LATEST } from '../../postgres/migrations/index.ts';
import { PgQueries } from '../../postgres/queries.ts';
import { guarded, unavailableOnTransport, type Clock } from '../component.ts';
import { PgContextStore } from '../context/pg.ts';
import { PgConversationStore } from '../conversations/pg.ts';
import { PgSessionStore } from '../sessions/pg.ts';
import type { StorageConfig } from './factory.ts';
import { OperationRecorder, timedCheck } from './instrument.ts';
import type { CleanupReport, HealthReport, MetricsSnapshot, StorageBackend } from './types.ts';

type PgConfig = Extract<StorageConfig, { backend: 'postgres' }>;

/** The PostgreSQL backend: the normalised baseline schema (migrations 1-4), every command in a transaction. */
export class PgBackend implements StorageBackend {
  readonly name = 'postgres' as const;
  readonly sessions;
  readonly conversations;
  readonly context;
  private readonly recorder = new OperationRecorder();

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    o: { maxValueBytes?: number; owned?: boolean } = {},
  ) {
    const queries = new PgQueries(pool);
    this.sessions = this.recorder.wrap(
      'sessions',
      unavailableOnTransport('postgres', new PgSessionStore(pool, clock, queries)),
    );
    this.conversations = this.recorder.wrap(
      'conversations',
      unavailableOnTransport('postgres', new PgConversationStore(pool, clock, queries)),
    );
    this.context = this.recorder.wrap(
      'context',
      unavailableOnTransport('postgres', new PgContextStore(pool, clock, o.maxValueBytes)),
    );
    this.owned = o.owned ?? false;
  }
  private readonly owned: boolean;

  /** The search_path's schema must be at PG_LATEST: `agentstore pg-migrate` migrates it, init never does. */
  async init(): Promise<void> {
    const v = await guarded('postgres', () => this.schemaVersion());
    if (v < PG_LATEST)
      throw new Error(`PostgreSQL schema is at version ${v} of ${PG_LATEST}: run \`agentstore pg-migrate\` first`);
  }

  private async schemaVersion(): Promise<number> {
    const schema = (await this.pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
    return schema ? pgSchemaVersion(this.pool, schema) : 0;
  }

  async close(): Promise<void> {
    if (this.owned) await this.pool.end();
  }

  async health(): Promise<HealthReport> {
    const checks = [
      await timedCheck('postgres', async () =>
        String((await this.pool.query('SHOW server_version')).rows[0]?.server_version),
      ),
      await timedCheck('postgres schema', async () => {
        const v = await this.schemaVersion();
        if (v < PG_LATEST) throw new Error(`schema at version ${v} of ${PG_LATEST}`);
        return `version ${v}`;
      }),
    ];
    return { status: checks.every((c) => c.ok) ? 'ok' : 'down', checks, at: this.clock.now().toISOString() };
  }

  metrics(): MetricsSnapshot {
    return { backend: this.name, operations: this.recorder.snapshot() };
  }

  async cleanup(o: { idleForMs: number; limit: number }): Promise<CleanupReport> {
    return { abandonedSessions: await this.sessions.sweepIdle(o) };
  }
}

export async function openPgBackend(config: PgConfig, clock: Clock): Promise<PgBackend> {
  const o = config.maxValueBytes === undefined ? {} : { maxValueBytes: config.maxValueBytes };
  const given = config.postgres as Record<string, unknown> | undefined;
  if (given && 'pool' in given) return new PgBackend(given['pool'] as pg.Pool, clock, o);
  if (!given || typeof given['url'] !== 'string' || !/^postgres(ql)?:\/\//.test(given['url']))
    throw new ValidationError('postgres.url', 'give { pool } or { url: "postgres://...", schema }');
  if (typeof given['schema'] !== 'string' || !SCHEMA_PATTERN.test(given['schema']))
    throw new ValidationError(
      'postgres.schema',
      'lower-case letters, digits and _, starting with a letter (at most 48)',
    );
  return new PgBackend(connectPg({ url: given['url'], schema: given['schema'] }), clock, { ...o, owned: true });
}
