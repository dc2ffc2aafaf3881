import { allRows, type CqlExecutor } from '../cql/executor.ts';
import { monthOf } from '../domain/model.ts';
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
import { select, selectCount, type Selected } from './statements.ts';
import { ROOT } from './writes.ts';
import { checkDays, checkLimit, checkMinScore, decodeCursor, encodeCursor } from '../domain/query-args.ts';

// Columns the store writes on every insert of a row are read back with `!`: null only for a row
// another writer made, which the verifier then reports as a mismatch.
const iso = (v: Date | null): string => v!.toISOString();

function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export interface CqlQueriesOptions {
  /** P2 starts at the month of this time (default: now) and walks back at most `historyMonths` month partitions. */
  now?: () => Date;
  historyMonths?: number;
}

/**
 * The key queries over the write model. Each is one partition, or a bounded set of partitions named
 * by the request (days, month buckets): no scans, no ALLOW FILTERING.
 */
export class CqlQueries implements KeyQueries {
  private readonly now: () => Date;
  private readonly historyMonths: number;

  constructor(
    private readonly exec: CqlExecutor,
    private readonly ks: string,
    options: CqlQueriesOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.historyMonths = options.historyMonths ?? 24;
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

  /** P2: month partitions newest first; the cursor remembers the partition and the last row. */
  async accountSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    const limit = checkLimit(page);
    const cursor = decodeCursor<{ month: string; createdAt: string; sessionId: string; left: number }>(page.cursor);
    let month = cursor?.month ?? monthOf(this.now());
    let left = cursor?.left ?? this.historyMonths;
    let after = cursor ? { createdAt: new Date(cursor.createdAt), sessionId: cursor.sessionId } : undefined;
    const items: SessionListItem[] = [];
    while (left > 0 && items.length < limit) {
      const want = limit - items.length;
      const columns = ['created_at', 'session_id', 'title', 'last_activity'] as const;
      const rows = await this.exec.run(
        after
          ? select(
              this.ks,
              'sessions_by_account',
              columns,
              `account_id = ? AND month = ? AND (created_at, session_id) < (?, ?) LIMIT ${want}`,
              [accountId, month, after.createdAt, after.sessionId],
            )
          : select(this.ks, 'sessions_by_account', columns, `account_id = ? AND month = ? LIMIT ${want}`, [
              accountId,
              month,
            ]),
      );
      for (const r of rows.rows) {
        items.push({
          sessionId: r.session_id,
          title: r.title!,
          createdAt: iso(r.created_at),
          lastActivity: iso(r.last_activity ?? r.created_at),
        });
      }
      if (rows.rows.length === want) {
        const last = rows.rows[rows.rows.length - 1]!;
        after = { createdAt: last.created_at, sessionId: last.session_id };
        break;
      }
      month = previousMonth(month);
      left--;
      after = undefined;
    }
    if (items.length < limit || left === 0) return { items };
    const next = after!;
    return {
      items,
      cursor: encodeCursor({ month, createdAt: next.createdAt.toISOString(), sessionId: next.sessionId, left }),
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

  /** A1: a server-side count per role in each day partition. */
  async turnsPerDay(accountId: string, days: string[]): Promise<DayTurnCount[]> {
    return Promise.all(
      checkDays(days).map(async (day) => {
        const rows = await this.exec.run(
          selectCount(this.ks, 'turns_by_account_day', ['role'], 'account_id = ? AND day = ? GROUP BY role', [
            accountId,
            day,
          ]),
        );
        const out: DayTurnCount = { day, human: 0, agent: 0 };
        for (const r of rows.rows) if (r.role === 'human' || r.role === 'agent') out[r.role] = Number(r.n);
        return out;
      }),
    );
  }

  /** A2 */
  async stepTypeDistribution(accountId: string, day: string): Promise<TypeCount[]> {
    checkDays([day]);
    const rows = await this.exec.run(
      selectCount(this.ks, 'steps_by_account_day', ['step_type'], 'account_id = ? AND day = ? GROUP BY step_type', [
        accountId,
        day,
      ]),
    );
    return rows.rows.map((r) => ({ type: stepTypeName(r.step_type), count: Number(r.n) }));
  }

  /** A3: each day partition returns durations already sorted within a type; days are merged here. */
  async stepLatency(accountId: string, days: string[]): Promise<TypeLatency[]> {
    const byType = new Map<StepType, number[]>();
    await Promise.all(
      checkDays(days).map(async (day) => {
        for await (const r of allRows(
          this.exec,
          select(this.ks, 'steps_by_account_day', ['step_type', 'duration_ms'], 'account_id = ? AND day = ?', [
            accountId,
            day,
          ]),
          5000,
        )) {
          const t = r.step_type;
          (byType.get(t) ?? byType.set(t, []).get(t)!).push(r.duration_ms);
        }
      }),
    );
    return [...byType.keys()]
      .sort((a, b) => a - b)
      .map((t) =>
        latencyOf(
          stepTypeName(t),
          byType.get(t)!.sort((a, b) => a - b),
        ),
      );
  }

  /** A5 */
  async pendingInputs(accountId: string): Promise<PendingInput[]> {
    const out: PendingInput[] = [];
    for await (const r of allRows(
      this.exec,
      select(
        this.ks,
        'pending_inputs_by_account',
        ['session_id', 'turn_id', 'question', 'created_at'],
        'account_id = ?',
        [accountId],
      ),
    )) {
      out.push({
        sessionId: r.session_id,
        turnId: r.turn_id,
        question: r.question!,
        createdAt: iso(r.created_at),
      });
    }
    return out;
  }

  private async labelCounts(accountId: string, day: string, source: 'classifier' | 'language'): Promise<LabelCount[]> {
    const rows = await this.exec.run(
      selectCount(
        this.ks,
        'turn_labels_by_account_day',
        ['label'],
        'account_id = ? AND day = ? AND source = ? GROUP BY source, label',
        [accountId, day, source],
      ),
    );
    return rows.rows.map((r) => ({ label: r.label, count: Number(r.n) }));
  }

  /** A6 */
  async languageMix(accountId: string, days: string[]): Promise<LabelCount[]> {
    const total = new Map<string, number>();
    for (const counts of await Promise.all(checkDays(days).map((d) => this.labelCounts(accountId, d, 'language')))) {
      for (const c of counts) total.set(c.label, (total.get(c.label) ?? 0) + c.count);
    }
    return [...total].map(([label, count]) => ({ label, count })).sort(byCountThenLabel);
  }

  /** E1: a clustering range (score >= x) inside each day partition. */
  async turnsByLabel(accountId: string, days: string[], label: string, minScore: number): Promise<LabeledTurn[]> {
    checkMinScore(minScore);
    const perDay = await Promise.all(
      checkDays(days).map(async (day) => {
        const out: LabeledTurn[] = [];
        for await (const r of allRows(
          this.exec,
          select(
            this.ks,
            'turn_labels_by_account_day',
            ['score', 'turn_id', 'idx', 'session_id'],
            "account_id = ? AND day = ? AND source = 'classifier' AND label = ? AND score >= ?",
            [accountId, day, label, minScore],
          ),
        )) {
          out.push({
            turnId: r.turn_id,
            idx: r.idx,
            sessionId: r.session_id!,
            day,
            score: r.score,
          });
        }
        return out;
      }),
    );
    return perDay.flat().sort(byScoreThenTurn);
  }

  /** E2 */
  async labelFractions(accountId: string, days: string[]): Promise<LabelFraction[]> {
    const perDay = await Promise.all(checkDays(days).map((d) => this.labelCounts(accountId, d, 'classifier')));
    return perDay.flatMap((counts, i) => {
      const total = counts.reduce((n, c) => n + c.count, 0);
      return counts.map((c) => ({ day: days[i]!, label: c.label, count: c.count, fraction: c.count / total }));
    });
  }

  /** E3 */
  async agentTurnsByVersion(agentVersion: string, days: string[]): Promise<DayCount[]> {
    return Promise.all(
      checkDays(days).map(async (day) => {
        const rows = await this.exec.run(
          selectCount(this.ks, 'agent_turns_by_version_day', [], 'agent_version = ? AND day = ?', [agentVersion, day]),
        );
        return { day, count: Number(rows.rows[0]?.n ?? 0) };
      }),
    );
  }
}
