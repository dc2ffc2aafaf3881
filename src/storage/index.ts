/**
 * The storage interfaces for agent applications (docs/storage.md): the public entry of the library.
 * Nothing in src/cli imports it, so the chart's CLI bundle does not carry it.
 */
export { createStorage, type StorageConfig } from './backend/factory.ts';
export type {
  BackendName,
  CleanupReport,
  HealthCheck,
  HealthReport,
  MetricsSnapshot,
  OperationMetrics,
  StorageBackend,
} from './backend/types.ts';
export type { Clock } from './component.ts';
export type {
  CreateSessionRequest,
  EndStatus,
  SessionMetrics,
  SessionRecord,
  SessionStatus,
  SessionStore,
  SweepRequest,
} from './sessions/types.ts';
export type {
  AppendTurnInput,
  CompleteTurnInput,
  ConversationStore,
  StepInput,
  TurnCompletion,
  TurnStatus,
} from './conversations/types.ts';
export type { ContextScope, PutOptions, ScopeKind, TaskContextStore, Versioned } from './context/types.ts';
export { StorageChatMessageHistory, type ChatHistoryOptions } from './adapters/langchain.ts';
export { createChat, loadChat, saveChat, type UIMessageLike } from './adapters/ai-sdk.ts';
export { sessionStoreConformance } from './conformance/sessions.ts';
export { conversationStoreConformance } from './conformance/conversations.ts';
export { taskContextConformance } from './conformance/context.ts';
export { manualClock, type ManualClock, type OpenBackend } from './conformance/harness.ts';
export {
  ConflictError,
  LimitError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  ValueTooLargeError,
} from '../domain/errors.ts';
