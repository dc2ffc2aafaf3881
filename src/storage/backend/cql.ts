import { connectCql } from '../../cql/connect.ts';
import type { CqlExecutor } from '../../cql/executor.ts';
import type { Dialect } from '../../cql/dialect.ts';
import { LATEST_VERSION } from '../../migrations/index.ts';
import { requireSchema, schemaVersion } from '../../migrations/runner.ts';
import { KEYSPACE_PATTERN } from '../../schema/table.ts';
import { ValidationError } from '../../domain/errors.ts';
import { CqlQueries } from '../../store/queries.ts';
import { AgentStore } from '../../store/store.ts';
import { guarded, unavailableOnTransport, type Clock } from '../component.ts';
import { CqlContextStore } from '../context/cql.ts';
import { CqlConversationStore } from '../conversations/cql.ts';
import { CqlSessionStore } from '../sessions/cql.ts';
import type { StorageConfig } from './factory.ts';
import { OperationRecorder, timedCheck } from './instrument.ts';
import type { CleanupReport, HealthReport, MetricsSnapshot, StorageBackend } from './types.ts';

type CqlConfig = Extract<StorageConfig, { backend: 'cql' }>;

/** The CQL backend (ScyllaDB; Apache Cassandra 5 is the local stand-in) over one keyspace migrated to the latest version. */
export class CqlBackend implements StorageBackend {
  readonly name = 'cql' as const;
  readonly sessions;
  readonly conversations;
  readonly context;
  private readonly recorder = new OperationRecorder();

  constructor(
    private readonly exec: CqlExecutor,
    readonly dialect: Dialect,
    private readonly keyspace: string,
    private readonly clock: Clock,
    o: { maxValueBytes?: number; onClose?: () => Promise<void> } = {},
  ) {
    const store = new AgentStore(exec, keyspace, clock);
    const queries = new CqlQueries(exec, keyspace);
    const sessions = new CqlSessionStore(exec, keyspace, clock, store, queries);
    this.sessions = this.recorder.wrap('sessions', unavailableOnTransport('cql', sessions));
    this.conversations = this.recorder.wrap(
      'conversations',
      unavailableOnTransport('cql', new CqlConversationStore(exec, keyspace, clock, store, queries, sessions)),
    );
    this.context = this.recorder.wrap(
      'context',
      unavailableOnTransport('cql', new CqlContextStore(exec, keyspace, clock, o.maxValueBytes)),
    );
    this.onClose = o.onClose ?? (async () => {});
  }
  private readonly onClose: () => Promise<void>;

  /** Never migrates: `agentstore migrate` (the chart's Job) does. A keyspace behind is a SchemaNotReadyError. */
  init(): Promise<void> {
    return guarded('cql', () => requireSchema(this.exec, this.keyspace));
  }

  close(): Promise<void> {
    return this.onClose();
  }

  async health(): Promise<HealthReport> {
    const checks = [
      await timedCheck('cql', async () => {
        const page = await this.exec.execute(`SELECT release_version FROM system.local WHERE key = 'local'`);
        return `${this.dialect} ${String(page.rows[0]?.['release_version'] ?? '')}`.trim();
      }),
      await timedCheck('cql schema', async () => {
        const v = await schemaVersion(this.exec, this.keyspace);
        if (v < LATEST_VERSION)
          throw new Error(`keyspace ${this.keyspace} is at schema version ${v} of ${LATEST_VERSION}`);
        return `${this.keyspace} at version ${v}`;
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

export async function openCqlBackend(config: CqlConfig, clock: Clock): Promise<CqlBackend> {
  if (typeof config.keyspace !== 'string' || !KEYSPACE_PATTERN.test(config.keyspace))
    throw new ValidationError(
      'keyspace',
      `${JSON.stringify(config.keyspace)} is not a keyspace name: lower-case letters, digits and _, starting with a letter (max 48)`,
    );
  const o = config.maxValueBytes === undefined ? {} : { maxValueBytes: config.maxValueBytes };
  const cql = config.cql as Record<string, unknown> | undefined;
  if (cql && 'exec' in cql)
    return new CqlBackend(cql['exec'] as CqlExecutor, cql['dialect'] as Dialect, config.keyspace, clock, o);
  if (!cql || typeof cql['contactPoints'] !== 'string' || typeof cql['localDataCenter'] !== 'string')
    throw new ValidationError('cql', 'give { exec, dialect } or { contactPoints: "host:port", localDataCenter }');
  const c = config.cql as Extract<CqlConfig['cql'], { contactPoints: string }>;
  const connected = await guarded('cql', () =>
    connectCql({
      contactPoints: c.contactPoints,
      localDataCenter: c.localDataCenter,
      dialect: c.dialect ?? 'auto',
      ...(c.username ? { username: c.username, password: c.password ?? '' } : {}),
    }),
  );
  return new CqlBackend(connected.exec, connected.dialect, config.keyspace, clock, {
    ...o,
    onClose: () => connected.exec.close(),
  });
}
