import type { CqlExecutor, Statement } from '../cql/executor.ts';
import { dayOf, monthOf, type Role } from '../domain/model.ts';
import { LIFECYCLE, type ErasedTable } from '../migrations/lifecycle.ts';
import { baseBuckets, bucketOfId, bucketsOn, shardOf, versionOwner } from '../schema/buckets.ts';
import { forEachBounded } from '../util/bounded.ts';
import type { BucketSchedules } from './buckets.ts';
import { after } from './pending.ts';
import { deleteRow } from './statements.ts';
import { deletePendingInput, micros, turnBucket, type DayBuckets } from './writes.ts';

/**
 * Erasure of one session from the write model, by key and never by scan: the session's row names
 * its account and time, its turns_by_session partition names its turns, each turn's partition
 * names its steps, the account's schedule names the buckets, and every other row's key is derived
 * from those (src/migrations/lifecycle.ts says how, per table). Every delete is a row delete, so a
 * CDC consumer sees each one (the projector removes the row's read-model entries), and all carry
 * one timestamp after every cell they shadow (a last_activity may be written up to the clock skew
 * ahead), so no cell outlives its delete. Interrupted, it is run again: the rows it reads to find
 * the others (turns_by_session, then sessions) are deleted last.
 */
interface TurnFacts {
  turnId: string;
  parentId: string;
  createdAt: Date;
  role: Role;
  agentVersion: string | null;
  steps: number[];
  pending: number[];
}

interface Facts {
  ks: string;
  sessionId: string;
  accountId: string;
  createdAt: Date | null;
  buckets: DayBuckets;
  turns: TurnFacts[];
  /** The deletes' write timestamp (microseconds). */
  at: bigint;
}

type Deletes = (f: Facts) => Statement[];
const del = (f: Facts) => ({ writeTimeUs: f.at });

/** Per erased table, the row deletes of one session. */
const DELETES: { [T in ErasedTable]: Deletes } = {
  sessions: (f) => [deleteRow(f.ks, 'sessions', { session_id: f.sessionId }, del(f))],
  turns: (f) => f.turns.map((t) => deleteRow(f.ks, 'turns', { turn_id: t.turnId }, del(f))),
  turns_by_session: (f) => [
    ...f.turns.map((t) =>
      deleteRow(
        f.ks,
        'turns_by_session',
        { session_id: f.sessionId, parent_id: t.parentId, created_at: t.createdAt, turn_id: t.turnId },
        del(f),
      ),
    ),
  ],
  steps_by_turn: (f) =>
    f.turns.flatMap((t) => t.steps.map((idx) => deleteRow(f.ks, 'steps_by_turn', { turn_id: t.turnId, idx }, del(f)))),
  sessions_by_account_month_bucket: (f) =>
    f.createdAt
      ? [
          deleteRow(
            f.ks,
            'sessions_by_account_month_bucket',
            {
              account_id: f.accountId,
              month: monthOf(f.createdAt),
              bucket: bucketOfId(f.sessionId, f.buckets(f.accountId, dayOf(f.createdAt))),
              created_at: f.createdAt,
              session_id: f.sessionId,
            },
            del(f),
          ),
        ]
      : [],
  turns_by_account_day_bucket: (f) =>
    f.turns.map((t) =>
      deleteRow(
        f.ks,
        'turns_by_account_day_bucket',
        {
          account_id: f.accountId,
          day: dayOf(t.createdAt),
          bucket: turnBucket({ turnId: t.turnId, accountId: f.accountId }, t.createdAt, f.buckets),
          role: t.role,
          created_at: t.createdAt,
          turn_id: t.turnId,
        },
        del(f),
      ),
    ),
  steps_by_account_day_bucket: (f) =>
    f.turns.flatMap((t) =>
      t.steps.map((idx) =>
        deleteRow(
          f.ks,
          'steps_by_account_day_bucket',
          {
            account_id: f.accountId,
            day: dayOf(t.createdAt),
            bucket: turnBucket({ turnId: t.turnId, accountId: f.accountId }, t.createdAt, f.buckets),
            turn_id: t.turnId,
            idx,
          },
          del(f),
        ),
      ),
    ),
  pending_inputs_by_account_day_bucket: (f) =>
    f.turns.flatMap((t) =>
      t.pending.map((idx) =>
        deletePendingInput(
          f.ks,
          { accountId: f.accountId, sessionId: f.sessionId, turnId: t.turnId, idx },
          t.createdAt,
          f.buckets,
          f.at,
        ),
      ),
    ),
  agent_turns_by_version_day_bucket: (f) =>
    f.turns
      .filter((t) => t.role === 'agent' && t.agentVersion)
      .map((t) =>
        deleteRow(
          f.ks,
          'agent_turns_by_version_day_bucket',
          {
            agent_version: t.agentVersion!,
            day: dayOf(t.createdAt),
            bucket: bucketOfId(t.turnId, f.buckets(versionOwner(t.agentVersion!), dayOf(t.createdAt))),
            created_at: t.createdAt,
            turn_id: t.turnId,
          },
          del(f),
        ),
      ),
  turn_counts_by_session: (f) => [deleteRow(f.ks, 'turn_counts_by_session', { session_id: f.sessionId }, del(f))],
  // The storage interfaces' tables (migration 6): none is CDC-captured, so partition deletes are fine.
  session_state: (f) => [deleteRow(f.ks, 'session_state', { session_id: f.sessionId }, del(f))],
  open_sessions_by_shard: (f) => [
    deleteRow(f.ks, 'open_sessions_by_shard', { shard: shardOf(f.sessionId), session_id: f.sessionId }, del(f)),
  ],
  turn_completions_by_session: (f) => [
    deleteRow(f.ks, 'turn_completions_by_session', { session_id: f.sessionId }, del(f)),
  ],
  task_context: (f) => [deleteRow(f.ks, 'task_context', { scope_kind: 'session', scope_id: f.sessionId }, del(f))],
};

/**
 * Deletes naming only the partition key, run once the phase's row deletes have finished. Such a
 * delete removes the whole partition: a row delete that ran beside it could find its row already
 * gone, and a change event without a preimage cannot tell the read models which entries that row
 * made (the timeline, the role's and the day's turn sets, the version's), so they would outlive
 * the erasure.
 */
const PARTITION_DELETES: { [T in ErasedTable]?: Deletes } = {
  // The static row (active_root) and anything left of the partition.
  turns_by_session: (f) => [deleteRow(f.ks, 'turns_by_session', { session_id: f.sessionId }, del(f))],
};

/**
 * The order of the deletes: rows found through a turn first, then the rows the erasure finds the
 * turns and the session through (turns_by_session, then sessions), so a rerun finds what is left.
 */
export const ERASE_PHASES: readonly (readonly ErasedTable[])[] = [
  [
    'pending_inputs_by_account_day_bucket',
    'steps_by_account_day_bucket',
    'turns_by_account_day_bucket',
    'agent_turns_by_version_day_bucket',
    'steps_by_turn',
    'turns',
  ],
  [
    'turns_by_session',
    'sessions_by_account_month_bucket',
    'turn_counts_by_session',
    'turn_completions_by_session',
    'task_context',
    'open_sessions_by_shard',
    'session_state',
  ],
  ['sessions'],
];

export interface EraseResult {
  sessionId: string;
  /** false: nothing of the session was stored (already erased, or never written). */
  found: boolean;
  turns: number;
  /** Row deletes issued per table. */
  deletes: Partial<Record<ErasedTable, number>>;
}

const CONCURRENCY = 16;
type Written = number | null;

async function readFacts(
  exec: CqlExecutor,
  ks: string,
  sessionId: string,
  schedules: BucketSchedules,
  now: Date,
): Promise<Facts | null> {
  const [session, rows] = await Promise.all([
    exec.run<{ account_id: string | null; created_at: Date | null; w1: Written; w2: Written }>({
      query: `SELECT account_id, created_at, WRITETIME(title) AS w1, WRITETIME(last_activity) AS w2 FROM ${ks}.sessions WHERE session_id = ?`,
      params: [sessionId],
    }),
    exec.run<{
      turn_id: string | null;
      parent_id: string | null;
      created_at: Date | null;
      role: Role | null;
      agent_version: string | null;
      account_id: string | null;
      w1: Written;
      w2: Written;
      w3: Written;
    }>(
      {
        query: `SELECT turn_id, parent_id, created_at, role, agent_version, account_id, WRITETIME(role) AS w1, WRITETIME(active_child) AS w2, WRITETIME(active_root) AS w3 FROM ${ks}.turns_by_session WHERE session_id = ?`,
        params: [sessionId],
      },
      // A session holds at most LIMITS.turnsPerSession turns: one partition, read whole.
      { fetchSize: 5000 },
    ),
  ]);
  const s = session.rows[0];
  const turnRows = rows.rows.filter((r) => r.turn_id);
  const accountId = s?.account_id ?? turnRows.find((r) => r.account_id)?.account_id ?? null;
  if (!accountId) return s || rows.rows.length ? orphan(ks, sessionId, now) : null;
  let seen = 0;
  const note = (...w: Written[]) => w.forEach((x) => (seen = Math.max(seen, x ?? 0)));
  note(s?.w1 ?? null, s?.w2 ?? null, ...rows.rows.flatMap((r) => [r.w1, r.w2, r.w3]));
  // The account's schedule, and each agent version's (agent_turns_by_version_day_bucket is bucketed by version).
  const owners = [
    accountId,
    ...new Set(turnRows.flatMap((r) => (r.agent_version ? [versionOwner(r.agent_version)] : []))),
  ];
  const byOwner = new Map(await Promise.all(owners.map(async (o) => [o, await schedules.get(o)] as const)));
  const buckets: DayBuckets = (owner, day) => bucketsOn(byOwner.get(owner) ?? [], day, baseBuckets(owner));
  const turns: TurnFacts[] = [];
  await forEachBounded(turnRows, CONCURRENCY, async (r) => {
    const t: TurnFacts = {
      turnId: r.turn_id!,
      parentId: r.parent_id ?? '',
      createdAt: r.created_at!,
      role: r.role!,
      agentVersion: r.agent_version,
      steps: [],
      pending: [],
    };
    if (t.role === 'agent') {
      const [steps, pending] = await Promise.all([
        exec.run<{ idx: number; w: Written }>(
          {
            query: `SELECT idx, WRITETIME(step_type) AS w FROM ${ks}.steps_by_turn WHERE turn_id = ?`,
            params: [t.turnId],
          },
          { fetchSize: 5000 },
        ),
        exec.run<{ idx: number; w: Written }>({
          query: `SELECT idx, WRITETIME(question) AS w FROM ${ks}.pending_inputs_by_account_day_bucket WHERE account_id = ? AND day = ? AND bucket = ? AND session_id = ? AND turn_id = ?`,
          params: [
            accountId,
            dayOf(t.createdAt),
            turnBucket({ turnId: t.turnId, accountId }, t.createdAt, buckets),
            sessionId,
            t.turnId,
          ],
        }),
      ]);
      t.steps = steps.rows.map((x) => x.idx);
      t.pending = pending.rows.map((x) => x.idx);
      note(...steps.rows.map((x) => x.w), ...pending.rows.map((x) => x.w));
    }
    turns.push(t);
  });
  return {
    ks,
    sessionId,
    accountId,
    createdAt: s?.created_at ?? null,
    buckets,
    turns,
    at: after(micros(now), seen),
  };
}

/** A session row or partition without an account (a write cut short): only the rows keyed by the session id. */
function orphan(ks: string, sessionId: string, now: Date): Facts {
  return { ks, sessionId, accountId: '', createdAt: null, buckets: () => 1, turns: [], at: micros(now) };
}

const SESSION_KEYED = new Set<ErasedTable>(
  (Object.keys(DELETES) as ErasedTable[]).filter((t) => {
    const e = LIFECYCLE[t].erase;
    return 'by' in e && e.by === 'session' && t !== 'sessions_by_account_month_bucket';
  }),
);

/** Deletes every stored row of the session, by key (see above); idempotent. */
export async function eraseSession(
  exec: CqlExecutor,
  ks: string,
  sessionId: string,
  schedules: BucketSchedules,
  now: Date = new Date(),
): Promise<EraseResult> {
  const f = await readFacts(exec, ks, sessionId, schedules, now);
  const result: EraseResult = { sessionId, found: f !== null, turns: f?.turns.length ?? 0, deletes: {} };
  if (!f) return result;
  for (const phase of ERASE_PHASES) {
    const tables = f.accountId ? phase : phase.filter((t) => SESSION_KEYED.has(t));
    const rows = tables.flatMap((t) => DELETES[t](f).map((s) => [t, s] as const));
    const partitions = tables.flatMap((t) => (PARTITION_DELETES[t]?.(f) ?? []).map((s) => [t, s] as const));
    for (const [t] of [...rows, ...partitions]) result.deletes[t] = (result.deletes[t] ?? 0) + 1;
    for (const group of [rows, partitions])
      await forEachBounded(group, CONCURRENCY, async ([, s]) => void (await exec.run(s)));
  }
  return result;
}
