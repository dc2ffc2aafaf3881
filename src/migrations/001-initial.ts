import type { Migration } from './migration.ts';

/**
 * The v1 write model: one table per access path (see docs/data-model.md). Leaf rows carry the
 * account and session ids they are queried by; every partition is bounded by a product limit or a
 * time bucket. Frozen once released: later changes are new migrations.
 */
export const initial = {
  version: 1,
  name: 'initial write model',
  steps: [
    {
      createTable: {
        name: 'sessions',
        serves: 'P5 session summary (title, created_at, last_activity); session ownership checks on every write',
        columns: {
          session_id: 'text',
          account_id: 'text',
          title: 'text',
          created_at: 'timestamp',
          last_activity: 'timestamp',
        },
        partitionKey: ['session_id'],
        cdc: true,
      },
    },
    {
      createTable: {
        name: 'sessions_by_account',
        serves: "P2 an account's sessions, newest first, paged; one partition per account and month",
        columns: {
          account_id: 'text',
          month: 'text',
          created_at: 'timestamp',
          session_id: 'text',
          title: 'text',
          last_activity: 'timestamp',
        },
        partitionKey: ['account_id', 'month'],
        // Both DESC: one tuple comparison (created_at, session_id) < cursor pages in clustering order.
        clustering: [
          { column: 'created_at', order: 'DESC' },
          { column: 'session_id', order: 'DESC' },
        ],
      },
    },
    {
      createTable: {
        name: 'turns',
        serves: "turn lookup by id: parent checks on append, P4 first hop, the day and account of a turn's steps",
        columns: {
          turn_id: 'text',
          session_id: 'text',
          account_id: 'text',
          role: 'text',
          parent_id: 'text',
          created_at: 'timestamp',
          session_created_at: 'timestamp',
        },
        partitionKey: ['turn_id'],
      },
    },
    {
      createTable: {
        name: 'turns_by_session',
        serves:
          'P1 active branch (static active_root, then active_child links), P4 siblings (slice by parent_id), P5 turn counts; bounded by turns per session',
        columns: {
          session_id: 'text',
          parent_id: 'text',
          created_at: 'timestamp',
          turn_id: 'text',
          active_root: 'text',
          account_id: 'text',
          role: 'text',
          prompt: 'text',
          active_child: 'text',
        },
        partitionKey: ['session_id'],
        clustering: [
          { column: 'parent_id', order: 'ASC' },
          { column: 'created_at', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
        ],
        staticColumns: ['active_root'],
        cdc: true,
      },
    },
    {
      createTable: {
        name: 'steps_by_turn',
        serves: "P3 a turn's steps in idx order, paged; bounded by steps per turn",
        columns: {
          turn_id: 'text',
          idx: 'int',
          session_id: 'text',
          account_id: 'text',
          step_type: 'int',
          content: 'text',
          created_at: 'timestamp',
          duration_ms: 'int',
          // The turn's time: analytics bucket steps by their turn's day, and a CDC consumer sees steps
          // before or after their turn (topics are not ordered against each other).
          turn_created_at: 'timestamp',
        },
        partitionKey: ['turn_id'],
        clustering: [{ column: 'idx', order: 'ASC' }],
        cdc: true,
      },
    },
    {
      createTable: {
        name: 'turns_by_account_day',
        serves: 'A1 turns per day per account (GROUP BY role); one partition per account and day',
        columns: {
          account_id: 'text',
          day: 'date',
          role: 'text',
          created_at: 'timestamp',
          turn_id: 'text',
          session_id: 'text',
        },
        partitionKey: ['account_id', 'day'],
        clustering: [
          { column: 'role', order: 'ASC' },
          { column: 'created_at', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
        ],
      },
    },
    {
      createTable: {
        name: 'steps_by_account_day',
        serves:
          "A2 step-type distribution (GROUP BY step_type), A3 latency percentiles (a type's durations come sorted); per account and day",
        columns: {
          account_id: 'text',
          day: 'date',
          step_type: 'int',
          duration_ms: 'int',
          turn_id: 'text',
          idx: 'int',
          session_id: 'text',
        },
        partitionKey: ['account_id', 'day'],
        clustering: [
          { column: 'step_type', order: 'ASC' },
          { column: 'duration_ms', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
          { column: 'idx', order: 'ASC' },
        ],
      },
    },
    {
      createTable: {
        name: 'pending_inputs_by_account',
        serves: 'A5 sessions with a pending InputRequest; a row lives from the request until a human turn answers it',
        columns: { account_id: 'text', session_id: 'text', turn_id: 'text', question: 'text', created_at: 'timestamp' },
        partitionKey: ['account_id'],
        clustering: [
          { column: 'session_id', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
        ],
        cdc: true,
      },
    },
    {
      createTable: {
        name: 'turn_labels_by_account_day',
        serves:
          'A6 language mix (source=language), E1 turns by classifier label with score >= x (range on score), E2 label fractions per day',
        columns: {
          account_id: 'text',
          day: 'date',
          source: 'text',
          label: 'text',
          score: 'double',
          turn_id: 'text',
          idx: 'int',
          session_id: 'text',
        },
        partitionKey: ['account_id', 'day'],
        clustering: [
          { column: 'source', order: 'ASC' },
          { column: 'label', order: 'ASC' },
          { column: 'score', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
          { column: 'idx', order: 'ASC' },
        ],
      },
    },
  ],
} as const satisfies Migration;
