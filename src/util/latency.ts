import { nearestRank } from '../domain/queries.ts';

/** Latency figures for the benchmark table. */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
}

export function latency(samplesMs: number[]): Latency {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => nearestRank(s, p);
  return { n: s.length, p50: at(50), p99: at(99) };
}
