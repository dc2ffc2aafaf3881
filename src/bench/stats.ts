/** Latency figures for the benchmark table. */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
}

export function latency(samplesMs: number[]): Latency {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
  return { n: s.length, p50: at(50), p99: at(99) };
}

/** Times `fn` `iterations` times after a warm-up, one call at a time (latency, not throughput). */
export async function timeCalls(iterations: number, fn: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(20, iterations); i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return latency(samples);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
