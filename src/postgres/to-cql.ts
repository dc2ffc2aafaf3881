import type pg from 'pg';
import type { CqlExecutor } from '../cql/executor.ts';
import type { Role, Session, Step, Turn } from '../domain/model.ts';
import { StepType } from '../domain/step-types.ts';
import { openRequests, type SessionModel } from '../seed/generator.ts';
import { sessionStatements } from '../seed/plan.ts';
import { dayBuckets } from '../seed/seeder.ts';
import { BucketSchedules } from '../store/buckets.ts';
import { ROOT, sessionMonthWrite, type DayBuckets } from '../store/writes.ts';
import { forEachPhased } from '../util/bounded.ts';

/**
 * The migration path's backfill: reads the relational baseline session by session (keyset on
 * sessions.uid, so a restart with --after resumes) and writes each session with the same row plan
 * the CQL store and seeder use (src/seed/plan.ts -> src/store/writes.ts). Every statement is an
 * upsert keyed by ids, so re-running it, or running it while dual writes land, converges.
 */
export interface BackfillProgress {
  sessions: number;
  steps: number;
  statements: number;
  /** The last session uid fully read: resume point. */
  lastSession: string;
}

async function readBatch(pool: pg.Pool, after: string, limit: number): Promise<SessionModel[]> {
  const sessions = (
    await pool.query(
      'SELECT uid, account_uid, title, created_at, active_root FROM sessions WHERE uid > $1 ORDER BY uid LIMIT $2',
      [after, limit],
    )
  ).rows;
  if (!sessions.length) return [];
  const ids = sessions.map((s) => s.uid as string);
  const [human, agent, steps] = await Promise.all([
    pool.query(
      'SELECT uid, session_uid, parent_uid, active_child, prompt, created_at FROM human_turns WHERE session_uid = ANY($1)',
      [ids],
    ),
    pool.query(
      'SELECT uid, session_uid, parent_uid, active_child, agent_version, created_at FROM agent_turns WHERE session_uid = ANY($1)',
      [ids],
    ),
    pool.query(
      `SELECT st.agent_turn_uid, a.session_uid, st.idx, st.tpe, st.content, st.created_at, st.duration_ms
      FROM agent_turns a JOIN steps st ON st.agent_turn_uid = a.uid WHERE a.session_uid = ANY($1) ORDER BY a.created_at, a.uid, st.idx`,
      [ids],
    ),
  ]);
  const models = new Map<string, SessionModel>();
  for (const s of sessions) {
    const session: Session = { sessionId: s.uid, accountId: s.account_uid, title: s.title, createdAt: s.created_at };
    const active = new Map<string, string>();
    if (s.active_root) active.set(ROOT, s.active_root);
    models.set(s.uid, { session, turns: [], steps: [], active, pending: new Set(), superseded: [] });
  }
  const addTurn = (r: pg.QueryResultRow, role: Role) => {
    const m = models.get(r.session_uid)!;
    const turn: Turn = {
      turnId: r.uid,
      sessionId: r.session_uid,
      accountId: m.session.accountId,
      role,
      parentId: r.parent_uid ?? null,
      prompt: role === 'human' ? r.prompt : '',
      agentVersion: role === 'agent' ? (r.agent_version ?? null) : null,
      createdAt: r.created_at,
    };
    m.turns.push(turn);
    if (r.active_child) m.active.set(r.uid, r.active_child);
  };
  for (const r of human.rows) addTurn(r, 'human');
  for (const r of agent.rows) addTurn(r, 'agent');
  for (const r of steps.rows) {
    const m = models.get(r.session_uid)!;
    const step: Step = {
      turnId: r.agent_turn_uid,
      sessionId: r.session_uid,
      accountId: m.session.accountId,
      idx: r.idx,
      type: r.tpe as StepType,
      content: r.content,
      createdAt: r.created_at,
      durationMs: r.duration_ms,
    };
    m.steps.push(step);
  }
  for (const m of models.values()) {
    m.turns.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.turnId < b.turnId ? -1 : 1));
    m.pending = openRequests(m.turns, m.steps);
  }
  return [...models.values()];
}

/** The bucket lookup of a batch's accounts, from their stored schedules. */
async function bucketsOfAccounts(schedules: BucketSchedules, models: SessionModel[]): Promise<DayBuckets> {
  const accounts = [...new Set(models.map((m) => m.session.accountId))];
  const known = new Map(await Promise.all(accounts.map(async (a) => [a, await schedules.get(a)] as const)));
  return dayBuckets(known);
}

export interface BackfillOptions {
  batchSessions: number;
  concurrency: number;
  after?: string;
  onProgress?: (p: BackfillProgress) => void;
}

export async function backfillPgToCql(
  pool: pg.Pool,
  exec: CqlExecutor,
  ks: string,
  opts: BackfillOptions,
): Promise<BackfillProgress> {
  const progress: BackfillProgress = { sessions: 0, steps: 0, statements: 0, lastSession: opts.after ?? '' };
  const schedules = new BucketSchedules(exec, ks);
  for (;;) {
    const models = await readBatch(pool, progress.lastSession, opts.batchSessions);
    if (!models.length) return progress;
    const buckets = await bucketsOfAccounts(schedules, models);
    const sessions = models.map((m) => {
      const phases = sessionStatements(ks, m, buckets);
      phases[0]!.push(sessionMonthWrite(ks, m.session));
      return phases;
    });
    await forEachPhased(sessions, opts.concurrency, async (s) => void (await exec.run(s)));
    const statements = sessions.flat(2);
    progress.sessions += models.length;
    progress.steps += models.reduce((n, m) => n + m.steps.length, 0);
    progress.statements += statements.length;
    progress.lastSession = models[models.length - 1]!.session.sessionId;
    opts.onProgress?.(progress);
  }
}
