/**
 * How long one query is timed. Every cell (a configuration, and for account queries an account-size
 * stratum) is meant to get `iterations` calls: at 500 the nearest-rank p99 is the 6th-largest call,
 * not the maximum. The calls of all cells are interleaved, so the cells fill at the same pace and the query
 * runs until each has its share; the budget is only a ceiling against a query that would take
 * hours (a scan of a million rows times 500 times 8 configurations). Where it stops a query short,
 * the report says so beside the figures, with the time the full count would have taken.
 */
export interface Budget {
  /** Fewest and most calls any cell got. */
  minCalls: number;
  maxCalls: number;
  elapsedMs: number;
  /** Set when some cell got fewer than `iterations` calls: why, in a sentence the report prints. */
  shortfall?: string;
}

/** Whether the interleaved loop stops before its next call: only past the ceiling. */
export const overBudget = (elapsedMs: number, budgetMs: number): boolean => elapsedMs > budgetMs;

/** Which call the nearest-rank p99 of n calls is, counted from the slowest. */
function p99Rank(n: number): string {
  const k = n - Math.ceil(0.99 * n) + 1;
  return k <= 1 ? 'the slowest call (the maximum)' : `the ${k}${k === 2 ? 'nd' : k === 3 ? 'rd' : 'th'}-slowest call`;
}

export function budgetOutcome(
  calls: readonly number[],
  iterations: number,
  elapsedMs: number,
  budgetMs: number,
): Budget {
  const minCalls = calls.length ? Math.min(...calls) : 0;
  const maxCalls = calls.length ? Math.max(...calls) : 0;
  const out: Budget = { minCalls, maxCalls, elapsedMs };
  if (minCalls >= iterations) return out;
  // The cells filled at one pace, so the full count would take about this long.
  const needS = minCalls > 0 ? ((elapsedMs * iterations) / minCalls / 1000).toFixed(0) : 'unknown';
  out.shortfall =
    `${minCalls}-${maxCalls} calls per cell, not ${iterations}: stopped at the ${(budgetMs / 1000).toFixed(0)} s ceiling per query ` +
    `(--budget-ms); ${iterations} per cell would take about ${needS} s. ` +
    `The p99 of ${minCalls} calls is ${p99Rank(minCalls)}.`;
  return out;
}
