import type pg from 'pg';
import { ValidationError } from '../domain/errors.ts';
import type { Role } from '../domain/model.ts';
import {
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
import { stepTypeName, type StepType } from '../domain/step-types.ts';
import { checkDays, checkLimit, checkMinScore, decodeCursor, encodeCursor } from '../domain/query-args.ts';
import * as Q from './sql.ts';

const iso = (v: unknown): string => (v as Date).toISOString();
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const DAY_MS = 86_400_000;

/** [$2, $3, $4] of the day-bucketed queries: the covering time range, and the days themselves. */
function dayParams(days: string[]): [Date, Date, string[]] {
  const sorted = [...checkDays(days)].sort();
  return [
    new Date(`${sorted[0]}T00:00:00Z`),
    new Date(Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`) + DAY_MS),
    days,
  ];
}

/**
 * The key queries over the relational baseline (src/postgres/sql.ts), with the same result shapes
 * and orders as the CQL store, so the verifier checks both against one ground truth.
 */
export class PgQueries implements KeyQueries {
  constructor(private readonly pool: pg.Pool) {}

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  async activeBranch(sessionId: string): Promise<BranchTurn[]> {
    const rows = await this.rows(Q.P1_ACTIVE_BRANCH, [sessionId]);
    return rows.map((r) => ({
      turnId: r['uid'],
      role: r['role'] as Role,
      parentId: r['parent_uid'] ?? null,
      prompt: r['prompt'] ?? '',
      createdAt: iso(r['created_at']),
    }));
  }

  async accountSessions(accountId: string, page: PageRequest): Promise<Page<SessionListItem>> {
    const limit = checkLimit(page);
    const after = decodeCursor<{ createdAt: string; sessionId: string }>(page.cursor);
    const rows = await this.rows(Q.P2_ACCOUNT_SESSIONS, [
      accountId,
      after?.createdAt ?? null,
      after?.sessionId ?? null,
      limit + 1,
    ]);
    const items = rows.slice(0, limit).map((r) => ({
      sessionId: r['uid'],
      title: r['title'],
      createdAt: iso(r['created_at']),
      lastActivity: iso(r['last_activity']),
    }));
    if (rows.length <= limit) return { items };
    const last = items[items.length - 1]!;
    return { items, cursor: encodeCursor({ createdAt: last.createdAt, sessionId: last.sessionId }) };
  }

  async turnSteps(turnId: string, page: PageRequest): Promise<Page<StepItem>> {
    const limit = checkLimit(page);
    const after = decodeCursor<number>(page.cursor) ?? -1;
    if (!Number.isInteger(after))
      throw new ValidationError('cursor', 'is not a cursor this query returned; start again without one');
    const rows = await this.rows(Q.P3_TURN_STEPS, [turnId, after, limit + 1]);
    const items = rows.slice(0, limit).map((r) => ({
      idx: r['idx'],
      type: stepTypeName(r['tpe'] as StepType),
      content: r['content'],
      durationMs: r['duration_ms'],
    }));
    return rows.length > limit ? { items, cursor: encodeCursor(items[items.length - 1]!.idx) } : { items };
  }

  async siblings(turnId: string): Promise<Sibling[]> {
    const rows = await this.rows(Q.P4_SIBLINGS, [turnId]);
    return rows.map((r) => ({ turnId: r['uid'], role: r['role'] as Role, createdAt: iso(r['created_at']) }));
  }

  async sessionSummary(sessionId: string): Promise<SessionSummary | null> {
    const r = (await this.rows(Q.P5_SESSION_SUMMARY, [sessionId]))[0];
    if (!r) return null;
    return {
      sessionId,
      accountId: r['account_uid'],
      title: r['title'],
      createdAt: iso(r['created_at']),
      lastActivity: iso(r['last_activity']),
      humanTurns: r['human_turns'],
      agentTurns: r['agent_turns'],
    };
  }

  async turnsPerDay(accountId: string, days: string[]): Promise<DayTurnCount[]> {
    const rows = await this.rows(Q.A1_TURNS_PER_DAY, [accountId, ...dayParams(days)]);
    const byDay = new Map(days.map((d) => [d, { day: d, human: 0, agent: 0 }]));
    for (const r of rows) byDay.get(r['day'])![r['role'] as Role] = r['n'];
    return days.map((d) => ({ ...byDay.get(d)! }));
  }

  async stepTypeDistribution(accountId: string, day: string): Promise<TypeCount[]> {
    const rows = await this.rows(Q.A2_TYPE_DISTRIBUTION, [accountId, ...dayParams([day])]);
    return rows.map((r) => ({ type: stepTypeName(r['tpe'] as StepType), count: r['n'] }));
  }

  async stepLatency(accountId: string, days: string[]): Promise<TypeLatency[]> {
    const rows = await this.rows(Q.A3_LATENCY, [accountId, ...dayParams(days)]);
    return rows.map((r) => ({
      type: stepTypeName(r['tpe'] as StepType),
      count: r['n'],
      p50: r['p50'],
      p90: r['p90'],
      p99: r['p99'],
      max: r['max'],
    }));
  }

  async pendingInputs(accountId: string, days: string[]): Promise<PendingInput[]> {
    const rows = await this.rows(Q.A5_PENDING_INPUTS, [accountId, ...dayParams(days)]);
    return rows.map((r) => ({
      sessionId: r['session_uid'],
      turnId: r['turn_uid'],
      question: r['question'],
      createdAt: iso(r['created_at']),
    }));
  }

  async languageMix(accountId: string, days: string[]): Promise<LabelCount[]> {
    const rows = await this.rows(Q.A6_LANGUAGE_MIX, [accountId, ...dayParams(days)]);
    return rows.map((r) => ({ label: r['label'], count: r['n'] }));
  }

  async turnsByLabel(accountId: string, days: string[], label: string, minScore: number): Promise<LabeledTurn[]> {
    checkMinScore(minScore);
    const rows = await this.rows(Q.E1_TURNS_BY_LABEL, [accountId, ...dayParams(days), label, minScore]);
    return rows.map((r) => ({
      turnId: r['uid'],
      idx: r['idx'],
      sessionId: r['session_uid'],
      day: r['day'],
      score: r['score'],
    }));
  }

  async labelFractions(accountId: string, days: string[]): Promise<LabelFraction[]> {
    const rows = await this.rows(Q.E2_LABEL_COUNTS, [accountId, ...dayParams(days)]);
    const byDay = new Map<string, { label: string; count: number }[]>();
    for (const r of rows)
      (byDay.get(r['day']) ?? byDay.set(r['day'], []).get(r['day'])!).push({ label: r['label'], count: r['n'] });
    // The fraction is divided here, as the other stores do, so all three agree to the last bit.
    return days.flatMap((day) => {
      const counts = (byDay.get(day) ?? []).sort((a, b) => compareText(a.label, b.label));
      const total = counts.reduce((n, c) => n + c.count, 0);
      return counts.map((c) => ({ day, label: c.label, count: c.count, fraction: c.count / total }));
    });
  }

  async agentTurnsByVersion(agentVersion: string, days: string[]): Promise<DayCount[]> {
    const rows = await this.rows(Q.E3_AGENT_TURNS_BY_VERSION, [agentVersion, ...dayParams(days)]);
    const byDay = new Map(rows.map((r) => [r['day'] as string, r['n'] as number]));
    return days.map((day) => ({ day, count: byDay.get(day) ?? 0 }));
  }
}
