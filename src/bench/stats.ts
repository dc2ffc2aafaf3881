import { latency, type Latency } from '../util/latency.ts';

/**
 * Times two functions one call at a time (latency, not throughput), alternating a call of each, so
 * a GC pause, a compaction or a busy neighbour lands on both sides alike.
 */
export async function timePair(
  iterations: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
): Promise<[Latency, Latency]> {
  for (let i = 0; i < Math.min(50, iterations); i++) await Promise.all([a(i), b(i)]);
  const sa: number[] = [];
  const sb: number[] = [];
  const time = async (fn: (i: number) => Promise<unknown>, i: number, into: number[]) => {
    const start = performance.now();
    await fn(i);
    into.push(performance.now() - start);
  };
  for (let i = 0; i < iterations; i++) {
    await time(a, i, sa);
    await time(b, i, sb);
  }
  return [latency(sa), latency(sb)];
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
