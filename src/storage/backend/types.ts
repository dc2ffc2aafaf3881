import type { TaskContextStore } from '../context/types.ts';
import type { ConversationStore } from '../conversations/types.ts';
import type { SessionStore } from '../sessions/types.ts';

export type BackendName = 'memory' | 'cql' | 'postgres';
export const BACKEND_NAMES: readonly BackendName[] = ['memory', 'cql', 'postgres'];

export interface HealthCheck {
  name: string;
  ok: boolean;
  latencyMs: number;
  detail: string;
}
export interface HealthReport {
  status: 'ok' | 'down';
  checks: HealthCheck[];
  at: string;
}

/** Per operation ("sessions.createSession"): calls, calls that threw, and their total time. */
export interface OperationMetrics {
  calls: number;
  errors: number;
  totalMs: number;
}
export interface MetricsSnapshot {
  backend: BackendName;
  operations: Record<string, OperationMetrics>;
}

export interface CleanupReport {
  /** Sessions ended as abandoned by the idle sweep. */
  abandonedSessions: string[];
}

/**
 * The unified backend: the three stores over one database, its lifecycle, health and metrics. One
 * backend writes one database: there is no fallback store a write could silently go to instead
 * (docs/cqrs-decision.md, "partial failure").
 */
export interface StorageBackend {
  readonly name: BackendName;
  readonly sessions: SessionStore;
  readonly conversations: ConversationStore;
  readonly context: TaskContextStore;
  /** Checks the schema is migrated (it never migrates implicitly) and that the database answers. */
  init(): Promise<void>;
  /** Releases the connections the backend opened (not the ones it was given). */
  close(): Promise<void>;
  health(): Promise<HealthReport>;
  metrics(): MetricsSnapshot;
  /** Ends sessions idle longer than idleForMs, at most `limit` of them. */
  cleanup(o: { idleForMs: number; limit: number }): Promise<CleanupReport>;
}
