import { randomBytes } from 'node:crypto';
import type { CqlExecutor } from '../cql/executor.ts';
import { dayOf, type Role } from '../domain/model.ts';
import { select } from '../store/statements.ts';
import { ROOT } from '../store/writes.ts';
import type { CheckSample } from '../verify/checks.ts';

/**
 * What an audit asks about, read from the write model without a scan: the sessions on an arc of
 * the token ring from a random token (tokens are hashes of the ids, so the arc is a random sample,
 * unrelated to time or account; two reads with LIMIT, the second wrapping round), their turns (one
 * partition each), their accounts, and the agent versions their turns name, each with the days up to
 * the newest the sample saw.
 */
const DAY_MS = 86_400_000;
const windowEnding = (newest: string, days: number): string[] =>
  Array.from({ length: days }, (_, i) => dayOf(new Date(Date.parse(`${newest}T00:00:00Z`) - (days - 1 - i) * DAY_MS)));

export interface SampleOptions {
  sessions: number;
  accounts: number;
  /** Days each day-bucketed query covers. */
  days: number;
  /** Start of the arc (a signed 64-bit token); random when absent. */
  fromToken?: bigint;
}

export async function sampleCql(exec: CqlExecutor, ks: string, o: SampleOptions): Promise<CheckSample> {
  const from = o.fromToken ?? randomBytes(8).readBigInt64BE();
  const arc = async (where: string, limit: number) =>
    limit <= 0
      ? []
      : (
          await exec.run(select(ks, 'sessions', ['session_id', 'account_id'], `${where} LIMIT ${limit}`, []), {
            fetchSize: limit,
          })
        ).rows;
  const first = await arc(`token(session_id) >= ${from}`, o.sessions);
  const picked = [...first, ...(await arc(`token(session_id) < ${from}`, o.sessions - first.length))];
  const newest = new Map<string, string>();
  const note = (k: string, day: string) => {
    if ((newest.get(k) ?? '') < day) newest.set(k, day);
  };
  const versions = new Set<string>();
  const sessions: CheckSample['sessions'] = [];
  for (const s of picked) {
    const rows = (
      await exec.run(
        select(
          ks,
          'turns_by_session',
          ['turn_id', 'role', 'parent_id', 'created_at', 'agent_version'],
          'session_id = ?',
          [s.session_id],
        ),
        { fetchSize: 5000 },
      )
    ).rows.filter((r) => r.turn_id);
    rows.sort((a, b) => a.created_at!.getTime() - b.created_at!.getTime() || (a.turn_id! < b.turn_id! ? -1 : 1));
    for (const r of rows) {
      if (s.account_id) note(`a ${s.account_id}`, dayOf(r.created_at!));
      if (r.agent_version) (versions.add(r.agent_version), note(`v ${r.agent_version}`, dayOf(r.created_at!)));
    }
    sessions.push({
      sessionId: s.session_id,
      turns: rows.map((r) => ({
        turnId: r.turn_id!,
        role: r.role as Role,
        parentId: r.parent_id === ROOT ? null : r.parent_id!,
      })),
    });
  }
  const accounts = [...new Set(picked.map((s) => s.account_id).filter((a): a is string => !!a))]
    .filter((a) => newest.has(`a ${a}`))
    .slice(0, o.accounts);
  return {
    sessions,
    accounts: accounts.map((accountId) => ({ accountId, days: windowEnding(newest.get(`a ${accountId}`)!, o.days) })),
    versions: [...versions]
      .sort()
      .map((version) => ({ version, days: windowEnding(newest.get(`v ${version}`)!, o.days) })),
  };
}
