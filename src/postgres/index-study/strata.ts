import type pg from 'pg';

/**
 * Account queries are reported by account size, so the median of small tenants and the tail of
 * the biggest are never read off one pooled figure: accounts are ranked by their session count in
 * the loaded data and a few are drawn around the 10th percentile (small), the median, and from the
 * top (large: the heaviest, which the Zipf-skewed generator makes about a quarter of all sessions).
 */
const ACCOUNT_STRATA = ['small accounts', 'median accounts', 'large accounts'] as const;
export type AccountStratumName = (typeof ACCOUNT_STRATA)[number];

export interface AccountCount {
  account: string;
  sessions: number;
}

export interface AccountStratum {
  stratum: AccountStratumName;
  accounts: AccountCount[];
}

/** Ranks (0-based, in ascending session order) of the `per` accounts centred on `rank`, within [0, n). */
function around(rank: number, per: number, n: number): number[] {
  const start = Math.min(Math.max(0, Math.round(rank - (per - 1) / 2)), Math.max(0, n - per));
  return Array.from({ length: Math.min(per, n) }, (_, i) => start + i);
}

/**
 * Up to `per` accounts per stratum, disjoint: the large stratum takes the heaviest first, then the
 * median, then the small one takes what is left near its percentile. With too few accounts a
 * stratum can come out empty and is then left out (the report lists the strata it got).
 */
export function accountStrata(counts: readonly AccountCount[], per = 2): AccountStratum[] {
  if (per < 1) throw new Error(`accountStrata: per must be at least 1 (got ${per})`);
  const ranked = [...counts]
    .filter((c) => c.sessions > 0)
    .sort((a, b) => a.sessions - b.sessions || (a.account < b.account ? -1 : 1));
  const n = ranked.length;
  const taken = new Set<number>();
  const take = (ranks: number[]) => ranks.filter((r) => !taken.has(r) && (taken.add(r), true));
  const large = take(around(n - 1 - (per - 1) / 2, per, n));
  const median = take(around((n - 1) / 2, per, n));
  const small = take(around((n - 1) * 0.1, per, n));
  const out: AccountStratum[] = [
    { stratum: 'small accounts', accounts: small.map((r) => ranked[r]!) },
    { stratum: 'median accounts', accounts: median.map((r) => ranked[r]!) },
    // Heaviest first: the first account of a stratum is the one whose plan the report shows.
    { stratum: 'large accounts', accounts: large.map((r) => ranked[r]!).reverse() },
  ];
  return out.filter((s) => s.accounts.length > 0);
}

export async function accountSessionCounts(pool: pg.Pool): Promise<AccountCount[]> {
  const r = await pool.query('SELECT account_uid, count(*)::int AS n FROM sessions GROUP BY account_uid');
  return r.rows.map((row: { account_uid: string; n: number }) => ({ account: row.account_uid, sessions: row.n }));
}
