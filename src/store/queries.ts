import { allRows, type CqlExecutor } from '../cql/executor.ts';
import { ValidationError } from '../domain/errors.ts';
import {
  byCountThenLabel,
  byScoreThenTurn,
  latencyOf,
  type BranchTurn,
  type DayCount,
  type DayTurnCount,
  type KeyQueries,
  type LabelCount,
  type LabeledTurn,
  type LabelFraction,
  type Page,
  type PageRequest,
  type PendingInput,
  type SessionListItem,
  type SessionSummary,
  type Sibling,
  type StepItem,
  type TypeCount,
  type TypeLatency,
} from '../domain/queries.ts';
import { StepType, stepTypeName } from '../domain/step-types.ts';
import { bucketRange, bucketsInMonth, versionOwner } from '../schema/buckets.ts';
import { BucketSchedules } from './buckets.ts';
import { select, selectCount, type Selected } from './statements.ts';
import { ROOT } from './writes.ts';
import { checkDays, checkLimit, checkMinScore, decodeCursor, encodeCursor } from '../domain/query-args.ts';

// Columns the store writes on every insert of a row are read back with `!`: null only for a row
// another writer made, which the verifier then reports as a mismatch.
const iso = (v: Date | null): string => v!.toISOString();
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A P2 position: the month partition set and the last row returned. */
interface SessionsCursor {
  month: string;
  createdAt: string;
  sessionId: string;
}

type StepColumn = 'turn_id' | 'idx' | 'session_id' | 'step_type' | 'duration_ms' | 'label' | 'score';

/**
 * The key queries over the write model. Each reads a bounded set of partitions named by the request
 * (a session, a turn, the buckets of an account's days or months, the 16 buckets of a version's
 * days): no scans, no ALLOW FILTERING. The buckets of a day come from the account's schedule
 * (src/schema/buckets.ts), cached like the writers'.
 */
export class CqlQueries implements KeyQueries {
  private readonly schedules: BucketSchedules;

  constructor(
    private readonly exec: CqlExecutor,
    private readonly ks: string,
  ) {
    this.schedules = new BucketSchedules(exec, ks);
  }

  /** Every step row of the account's days, with the columns asked for (the partitions read in parallel). */
  private async stepRows<C extends StepColumn>(accountId: string, days: string[], columns: readonly C[]) {
    const parts = await this.schedules.dayPartitions(accountId, checkDays(days));
    const perPart = await Promise.all(
      parts.map(async ({ day, bucket }) => {
        const rows = [];
        for await (const r of allRows(
          this.exec,
          select(this.ks, 'steps_by_account_day_bucket', columns, 'account_id = ? AND day = ? AND bucket = ?', [
            accountId,
            day,
            bucket,
          ]),
          5000,
        ))
          rows.push(r);
        return { day, rows };
      }),
    );
    return perPart;
  }

  /** P1: one partition read; the branch is followed in memory from active_root. */
  async activeBranch(sessionId: string): Promise<BranchTurn[]> {
    const rows = select(
      this.ks,
      'turns_by_session',
      ['parent_id', 'created_at', 'turn_id', 'active_root', 'role', 'prompt', 'active_child'],
      'session_id = ?',
      [sessionId],
    );
    const byId = new Map<string, Selected<typeof rows>>();
    let root: string | null = null;
    for await (const row of allRows(this.exec, rows)) {
      root ??= row.active_root ?? null;
      if (row.turn_id) byId.set(row.turn_id, row);
    }
    const branch: BranchTurn[] = [];
    for (let id = root; id && byId.has(id) && branch.length <= byId.size;) {
      const row = byId.get(id)!;
      const parent = row.parent_id!;
      branch.push({
        turnId: id,
        role: row.role!,
        parentId: parent === ROOT ? null : parent,
        prompt: row.prompt ?? '',
        createdAt: iso(row.created_at),
      });
      id = row.active_child ?? null;
    }
    return branch;
  }

  /**
   * P2: the months the account created sessions in (its directory partition), newest first; each
   * month's buckets are read in parallel and merged. One more row than the page is read, so a cursor
   * comes back only when something follows. Last activity comes from each listed session's row.
   */
  async accountSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    const limit = checkLimit(page);
    const cursor = decodeCursor<SessionsCursor>(page.cursor);
    if (cursor && (typeof cursor.month !== 'string' || typeof cursor.sessionId !== 'string'))
      throw new ValidationError('cursor', 'is not a cursor this query returned; start again without one');
    const months = (
      await this.exec.run(
        select(
          this.ks,
          'session_months_by_account',
          ['month'],
          cursor ? 'account_id = ? AND month <= ?' : 'account_id = ?',
          cursor ? [accountId, cursor.month] : [accountId],
        ),
      )
    ).rows.map((r) => r.month);
    const schedule = await this.schedules.get(accountId);
    const found: (SessionListItem & { month: string; at: Date })[] = [];
    for (const month of months) {
      const want = limit + 1 - found.length;
      const after = cursor?.month === month ? cursor : undefined;
      const columns = ['created_at', 'session_id', 'title'] as const;
      const perBucket = await Promise.all(
        bucketRange(bucketsInMonth(schedule, month)).map(
          async (bucket) =>
            (
              await this.exec.run(
                after
                  ? select(
                      this.ks,
                      'sessions_by_account_month_bucket',
                      columns,
                      `account_id = ? AND month = ? AND bucket = ? AND (created_at, session_id) < (?, ?) LIMIT ${want}`,
                      [accountId, month, bucket, new Date(after.createdAt), after.sessionId],
                    )
                  : select(
                      this.ks,
                      'sessions_by_account_month_bucket',
                      columns,
                      `account_id = ? AND month = ? AND bucket = ? LIMIT ${want}`,
                      [accountId, month, bucket],
                    ),
              )
            ).rows,
        ),
      );
      const merged = perBucket
        .flat()
        .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || compareText(b.session_id, a.session_id))
        .slice(0, want);
      for (const r of merged)
        found.push({
          month,
          at: r.created_at,
          sessionId: r.session_id,
          title: r.title!,
          createdAt: iso(r.created_at),
          lastActivity: '',
        });
      if (found.length > limit) break;
    }
    const shown = found.slice(0, limit);
    const activity = await Promise.all(
      shown.map(
        async (s) =>
          (await this.exec.run(select(this.ks, 'sessions', ['last_activity'], 'session_id = ?', [s.sessionId]))).rows[0]
            ?.last_activity ?? s.at,
      ),
    );
    const items = shown.map(({ sessionId, title, createdAt }, i) => ({
      sessionId,
      title,
      createdAt,
      lastActivity: iso(activity[i]!),
    }));
    if (found.length <= limit) return { items };
    const last = shown[shown.length - 1]!;
    return {
      items,
      cursor: encodeCursor({ month: last.month, createdAt: last.createdAt, sessionId: last.sessionId }),
    };
  }

  /** P3 */
  async turnSteps(turnId: string, page: PageRequest): Promise<Page<StepItem>> {
    const limit = checkLimit(page);
    const after = decodeCursor<number>(page.cursor) ?? -1;
    const rows = await this.exec.run(
      select(
        this.ks,
        'steps_by_turn',
        ['idx', 'step_type', 'content', 'duration_ms'],
        `turn_id = ? AND idx > ? LIMIT ${limit + 1}`,
        [turnId, after],
      ),
    );
    const items = rows.rows.slice(0, limit).map((r) => ({
      idx: r.idx,
      type: stepTypeName(r.step_type!),
      content: r.content!,
      durationMs: r.duration_ms!,
    }));
    return rows.rows.length > limit ? { items, cursor: encodeCursor(items[items.length - 1]!.idx) } : { items };
  }

  /** P4: the turn's lookup row names its parent; the siblings are one clustering slice. */
  async siblings(turnId: string): Promise<Sibling[]> {
    const turn = (await this.exec.run(select(this.ks, 'turns', ['session_id', 'parent_id'], 'turn_id = ?', [turnId])))
      .rows[0];
    if (!turn) return [];
    const rows = await this.exec.run(
      select(this.ks, 'turns_by_session', ['turn_id', 'role', 'created_at'], 'session_id = ? AND parent_id = ?', [
        turn.session_id,
        turn.parent_id,
      ]),
    );
    return rows.rows.map((r) => ({
      turnId: r.turn_id!,
      role: r.role!,
      createdAt: iso(r.created_at),
    }));
  }

  /** P5: the session row plus the roles of its (bounded) turn partition. */
  async sessionSummary(sessionId: string): Promise<SessionSummary | null> {
    const [session, turns] = await Promise.all([
      this.exec.run(
        select(this.ks, 'sessions', ['account_id', 'title', 'created_at', 'last_activity'], 'session_id = ?', [
          sessionId,
        ]),
      ),
      (async () => {
        const counts = { human: 0, agent: 0 };
        for await (const r of allRows(
          this.exec,
          select(this.ks, 'turns_by_session', ['role'], 'session_id = ?', [sessionId]),
        )) {
          if (r.role === 'human' || r.role === 'agent') counts[r.role]++;
        }
        return counts;
      })(),
    ]);
    const s = session.rows[0];
    if (!s) return null;
    return {
      sessionId,
      accountId: s.account_id!,
      title: s.title!,
      createdAt: iso(s.created_at),
      lastActivity: iso(s.last_activity ?? s.created_at),
      humanTurns: turns.human,
      agentTurns: turns.agent,
    };
  }

  /** A1: a server-side count per role in each bucket of each day. */
  async turnsPerDay(accountId: string, days: string[]): Promise<DayTurnCount[]> {
    const parts = await this.schedules.dayPartitions(accountId, checkDays(days));
    const out = new Map(days.map((day) => [day, { day, human: 0, agent: 0 }]));
    await Promise.all(
      parts.map(async ({ day, bucket }) => {
        const rows = await this.exec.run(
          selectCount(
            this.ks,
            'turns_by_account_day_bucket',
            ['role'],
            'account_id = ? AND day = ? AND bucket = ? GROUP BY role',
            [accountId, day, bucket],
          ),
        );
        for (const r of rows.rows) if (r.role === 'human' || r.role === 'agent') out.get(day)![r.role] += Number(r.n);
      }),
    );
    return days.map((day) => ({ ...out.get(day)! }));
  }

  /** A2: each step counted once, by its stored type. */
  async stepTypeDistribution(accountId: string, day: string): Promise<TypeCount[]> {
    const counts = new Map<StepType, number>();
    for (const { rows } of await this.stepRows(accountId, [day], ['step_type'] as const))
      for (const r of rows) counts.set(r.step_type!, (counts.get(r.step_type!) ?? 0) + 1);
    return [...counts.keys()].sort((a, b) => a - b).map((t) => ({ type: stepTypeName(t), count: counts.get(t)! }));
  }

  /** A3: each step's duration once, sorted here per type. */
  async stepLatency(accountId: string, days: string[]): Promise<TypeLatency[]> {
    const byType = new Map<StepType, number[]>();
    for (const { rows } of await this.stepRows(accountId, days, ['step_type', 'duration_ms'] as const))
      for (const r of rows)
        (byType.get(r.step_type!) ?? byType.set(r.step_type!, []).get(r.step_type!)!).push(r.duration_ms!);
    return [...byType.keys()]
      .sort((a, b) => a - b)
      .map((t) =>
        latencyOf(
          stepTypeName(t),
          byType.get(t)!.sort((a, b) => a - b),
        ),
      );
  }

  /** A5: the open requests of the days' buckets; per turn the one with the highest idx. */
  async pendingInputs(accountId: string, days: string[]): Promise<PendingInput[]> {
    const parts = await this.schedules.dayPartitions(accountId, checkDays(days));
    const byTurn = new Map<string, PendingInput & { idx: number }>();
    await Promise.all(
      parts.map(async ({ day, bucket }) => {
        for await (const r of allRows(
          this.exec,
          select(
            this.ks,
            'pending_inputs_by_account_day_bucket',
            ['session_id', 'turn_id', 'idx', 'question', 'created_at'],
            'account_id = ? AND day = ? AND bucket = ?',
            [accountId, day, bucket],
          ),
        )) {
          const seen = byTurn.get(r.turn_id);
          if (!seen || r.idx > seen.idx)
            byTurn.set(r.turn_id, {
              sessionId: r.session_id,
              turnId: r.turn_id,
              idx: r.idx,
              question: r.question!,
              createdAt: iso(r.created_at),
            });
        }
      }),
    );
    return [...byTurn.values()]
      .sort((a, b) => compareText(a.sessionId, b.sessionId) || compareText(a.turnId, b.turnId))
      .map(({ sessionId, turnId, question, createdAt }) => ({ sessionId, turnId, question, createdAt }));
  }

  /** Label rows of a type, per day: only steps whose stored type carries that label. */
  private async labels(accountId: string, days: string[], type: StepType) {
    const rows = await this.stepRows(accountId, days, [
      'turn_id',
      'idx',
      'session_id',
      'step_type',
      'label',
      'score',
    ] as const);
    return rows.map(({ day, rows }) => ({ day, rows: rows.filter((r) => r.step_type === type && r.label !== null) }));
  }

  /** A6 */
  async languageMix(accountId: string, days: string[]): Promise<LabelCount[]> {
    const total = new Map<string, number>();
    for (const { rows } of await this.labels(accountId, days, StepType.LangDetection))
      for (const r of rows) total.set(r.label!, (total.get(r.label!) ?? 0) + 1);
    return [...total].map(([label, count]) => ({ label, count })).sort(byCountThenLabel);
  }

  /** E1: the classifier rows of the days with this label and a score of at least minScore. */
  async turnsByLabel(accountId: string, days: string[], label: string, minScore: number): Promise<LabeledTurn[]> {
    checkMinScore(minScore);
    const out: LabeledTurn[] = [];
    for (const { day, rows } of await this.labels(accountId, days, StepType.TurnClassifier))
      for (const r of rows)
        if (r.label === label && r.score! >= minScore)
          out.push({ turnId: r.turn_id, idx: r.idx, sessionId: r.session_id!, day, score: r.score! });
    return out.sort(byScoreThenTurn);
  }

  /** E2 */
  async labelFractions(accountId: string, days: string[]): Promise<LabelFraction[]> {
    const perDay = new Map<string, Map<string, number>>(days.map((d) => [d, new Map()]));
    for (const { day, rows } of await this.labels(accountId, days, StepType.TurnClassifier)) {
      const counts = perDay.get(day)!;
      for (const r of rows) counts.set(r.label!, (counts.get(r.label!) ?? 0) + 1);
    }
    return days.flatMap((day) => {
      const counts = perDay.get(day)!;
      const total = [...counts.values()].reduce((n, c) => n + c, 0);
      return [...counts.keys()]
        .sort(compareText)
        .map((label) => ({ day, label, count: counts.get(label)!, fraction: counts.get(label)! / total }));
    });
  }

  /** E3: a server-side count in each of the version-day's buckets (the version's schedule names them). */
  async agentTurnsByVersion(agentVersion: string, days: string[]): Promise<DayCount[]> {
    const parts = await this.schedules.dayPartitions(versionOwner(agentVersion), checkDays(days));
    const out = new Map(days.map((day) => [day, 0]));
    await Promise.all(
      parts.map(async ({ day, bucket }) => {
        const n = (
          await this.exec.run(
            selectCount(
              this.ks,
              'agent_turns_by_version_day_bucket',
              [],
              'agent_version = ? AND day = ? AND bucket = ?',
              [agentVersion, day, bucket],
            ),
          )
        ).rows[0]?.n;
        out.set(day, out.get(day)! + Number(n ?? 0));
      }),
    );
    return days.map((day) => ({ day, count: out.get(day)! }));
  }
}
