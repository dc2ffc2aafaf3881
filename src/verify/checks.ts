import type { Turn } from '../domain/model.ts';
import { KEY_QUERIES, type KeyQueries, type Page, type PageRequest } from '../domain/queries.ts';
import { accountIdOf, generateSession, windowDays, type SeedConfig, type SessionModel } from '../seed/generator.ts';
import type { Focus } from './ground-truth.ts';

/** One key query with fixed arguments, asked of both the store under test and the ground truth. */
export interface Check {
  query: QueryId;
  label: string;
  run(q: KeyQueries): Promise<unknown>;
}

export type QueryId = (typeof KEY_QUERIES)[keyof typeof KEY_QUERIES]['id'];
export const QUERY_IDS: readonly QueryId[] = Object.values(KEY_QUERIES).map((q) => q.id);
export const QUERY_TITLES = Object.fromEntries(Object.values(KEY_QUERIES).map((q) => [q.id, q.title])) as Record<
  QueryId,
  string
>;

/** What allPages puts where a store broke the paging contract, so the answer differs from the ground truth's. */
const EMPTY_PAGE_AFTER_CURSOR = 'an empty page after a cursor (a cursor must mean more items follow)';

/**
 * Follows cursors to the end, so stores with different cursor formats compare on items alone; a
 * page that comes back empty after a cursor breaks the contract and shows up in the answer.
 */
async function allPages<T>(fetch: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<(T | string)[]> {
  const items: (T | string)[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await fetch({ limit, ...(cursor ? { cursor } : {}) });
    if (cursor && page.items.length === 0) items.push(EMPTY_PAGE_AFTER_CURSOR);
    items.push(...page.items);
    if (!page.cursor) return items;
    cursor = page.cursor;
  }
  throw new Error('more than 10000 pages: the cursor does not advance');
}

export interface Plan {
  focus: Focus;
  checks: Check[];
}

const CLASSIFIER_LABEL = 'bug_report';
const MIN_SCORE = 0.7;

/**
 * What the checks ask about: sessions with their turns (in creation order), and accounts and agent
 * versions with the days to ask for. The verifier fills it from the generator; the PostgreSQL
 * comparison (src/postgres/compare.ts) from production data.
 */
export interface CheckSample {
  sessions: { sessionId: string; turns: Pick<Turn, 'turnId' | 'role' | 'parentId'>[] }[];
  accounts: { accountId: string; days: string[] }[];
  versions: { version: string; days: string[] }[];
}

/**
 * Picks what to check: `samples` sessions spread evenly over the dataset, the accounts they belong
 * to (always including the most active account), and every agent version seen. The sample is
 * deterministic, so two runs check the same things.
 */
export function planChecks(config: SeedConfig, samples: number, accountSamples: number): Plan {
  const count = Math.min(samples, config.sessions);
  const indices = [...new Set(Array.from({ length: count }, (_, k) => Math.floor((k * config.sessions) / count)))];
  const models: SessionModel[] = indices.map((i) => generateSession(config, i));
  const accounts = [...new Set([accountIdOf(config, 0), ...models.map((m) => m.session.accountId)])].slice(
    0,
    accountSamples,
  );
  const versions = [
    ...new Set(models.flatMap((m) => m.turns.map((t) => t.agentVersion).filter((v): v is string => !!v))),
  ].sort();
  const days = windowDays(config);
  const checks = checksFor({
    sessions: models.map((m) => ({ sessionId: m.session.sessionId, turns: m.turns })),
    accounts: accounts.map((accountId) => ({ accountId, days })),
    versions: versions.map((version) => ({ version, days })),
  });
  return { focus: { accounts: new Set(accounts), sessions: new Set(models.map((m) => m.session.sessionId)) }, checks };
}

/** Every key query over a sample: per session P1, P5, P3 (a few agent turns), P4 (turns with siblings); per account the rest; E3 per version. */
export function checksFor(sample: CheckSample): Check[] {
  const checks: Check[] = [];
  for (const { sessionId: sid, turns } of sample.sessions) {
    checks.push({ query: 'P1', label: sid, run: (q) => q.activeBranch(sid) });
    checks.push({ query: 'P5', label: sid, run: (q) => q.sessionSummary(sid) });
    for (const t of turns.filter((t) => t.role === 'agent').slice(0, 3)) {
      checks.push({ query: 'P3', label: t.turnId, run: (q) => allPages((p) => q.turnSteps(t.turnId, p), 4) });
    }
    const parents = new Map<string, number>();
    for (const t of turns) parents.set(t.parentId ?? '', (parents.get(t.parentId ?? '') ?? 0) + 1);
    const withSiblings = turns.filter((t) => (parents.get(t.parentId ?? '') ?? 0) > 1);
    for (const t of [...withSiblings.slice(0, 2), ...turns.slice(0, 1)]) {
      checks.push({ query: 'P4', label: t.turnId, run: (q) => q.siblings(t.turnId) });
    }
  }
  for (const { accountId: a, days } of sample.accounts) {
    checks.push({ query: 'P2', label: a, run: (q) => allPages((p) => q.accountSessions(a, p), 20) });
    checks.push({ query: 'A1', label: a, run: (q) => q.turnsPerDay(a, days) });
    for (const d of days.slice(-5))
      checks.push({ query: 'A2', label: `${a} ${d}`, run: (q) => q.stepTypeDistribution(a, d) });
    checks.push({ query: 'A3', label: a, run: (q) => q.stepLatency(a, days) });
    checks.push({ query: 'A5', label: a, run: (q) => q.pendingInputs(a, days) });
    checks.push({ query: 'A6', label: a, run: (q) => q.languageMix(a, days) });
    checks.push({
      query: 'E1',
      label: `${a} ${CLASSIFIER_LABEL}>=${MIN_SCORE}`,
      run: (q) => q.turnsByLabel(a, days, CLASSIFIER_LABEL, MIN_SCORE),
    });
    checks.push({ query: 'E2', label: a, run: (q) => q.labelFractions(a, days) });
  }
  for (const { version: v, days } of sample.versions)
    checks.push({ query: 'E3', label: v, run: (q) => q.agentTurnsByVersion(v, days) });
  return checks;
}
