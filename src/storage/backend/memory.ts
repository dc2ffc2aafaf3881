import type { Clock } from '../component.ts';
import { MemoryContextStore } from '../context/memory.ts';
import { MemoryConversationStore } from '../conversations/memory.ts';
import { MemoryState } from '../memory-state.ts';
import { MemorySessionStore } from '../sessions/memory.ts';
import { OperationRecorder, timedCheck } from './instrument.ts';
import type { CleanupReport, HealthReport, MetricsSnapshot, StorageBackend } from './types.ts';

/** The reference backend: everything in this process, gone when it ends. */
export class MemoryBackend implements StorageBackend {
  readonly name = 'memory' as const;
  readonly sessions;
  readonly conversations;
  readonly context;
  private readonly recorder = new OperationRecorder();

  constructor(
    private readonly clock: Clock,
    o: { maxValueBytes?: number } = {},
  ) {
    const state = new MemoryState();
    this.sessions = this.recorder.wrap('sessions', new MemorySessionStore(state, clock));
    this.conversations = this.recorder.wrap('conversations', new MemoryConversationStore(state, clock));
    this.context = this.recorder.wrap('context', new MemoryContextStore(state, clock, o.maxValueBytes));
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  async health(): Promise<HealthReport> {
    const checks = [await timedCheck('memory', async () => 'in-process')];
    return { status: 'ok', checks, at: this.clock.now().toISOString() };
  }

  metrics(): MetricsSnapshot {
    return { backend: this.name, operations: this.recorder.snapshot() };
  }

  async cleanup(o: { idleForMs: number; limit: number }): Promise<CleanupReport> {
    return { abandonedSessions: await this.sessions.sweepIdle(o) };
  }
}
