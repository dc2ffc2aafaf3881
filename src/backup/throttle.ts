/**
 * At most `perSecond` rows a second across all ranges in flight: a backup reads the live cluster, so
 * it must leave headroom for the application (research §7.7: rateLimitRowsPerSecond). 0: unlimited.
 */
export class Throttle {
  private nextFreeMs = performance.now();
  constructor(private readonly perSecond: number) {}

  async take(rows: number): Promise<void> {
    if (this.perSecond <= 0 || rows <= 0) return;
    const now = performance.now();
    const start = Math.max(now, this.nextFreeMs);
    this.nextFreeMs = start + (rows * 1000) / this.perSecond;
    const wait = start - now;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

export interface Progress {
  /** Ranges (backup) or parts (restore) done, of total. */
  done: number;
  total: number;
  rows: number;
  bytes: number;
}

/** One progress line: count, rate and an ETA from the ranges left at the rate so far. */
export function progressLine(verb: string, p: Progress, startedMs: number, resumed: number): string {
  const secs = Math.max((performance.now() - startedMs) / 1000, 0.001);
  const rate = p.rows / secs;
  const doneHere = p.done - resumed;
  const eta = doneHere > 0 ? ((p.total - p.done) * secs) / doneHere : NaN;
  return (
    `${verb} ${p.done}/${p.total} ranges | ${p.rows} rows | ${Math.round(rate)} rows/s | ` +
    `${(p.bytes / secs / 1e6).toFixed(2)} MB/s | ETA ${Number.isFinite(eta) ? `${Math.round(eta)}s` : '?'}`
  );
}
