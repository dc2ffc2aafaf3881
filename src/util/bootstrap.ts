import { nearestRank } from '../domain/queries.ts';

/**
 * Percentiles with bootstrap confidence intervals (the percentile method): resample with
 * replacement, recompute, take the 2.5th and 97.5th percentile of the estimates. Seeded, so a
 * report regenerated from the same samples prints the same intervals.
 */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

/** mulberry32: small, fast, good enough to draw resampling indexes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resample(samples: readonly number[], random: () => number): number[] {
  const out = new Array<number>(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[Math.floor(random() * samples.length)]!;
  return out.sort((x, y) => x - y);
}

const sorted = (samples: readonly number[]) => [...samples].sort((x, y) => x - y);

/** Each percentile of `a` divided by the same percentile of `b`, with a 95% interval per percentile. */
export function percentileRatios(
  a: readonly number[],
  b: readonly number[],
  percentiles: readonly number[],
  resamples = 500,
  seed = 1,
): Estimate[] {
  const random = seededRandom(seed);
  const sa = sorted(a);
  const sb = sorted(b);
  const draws = percentiles.map(() => [] as number[]);
  for (let r = 0; r < resamples; r++) {
    const ra = resample(a, random);
    const rb = resample(b, random);
    percentiles.forEach((p, i) => draws[i]!.push(nearestRank(ra, p) / nearestRank(rb, p)));
  }
  return percentiles.map((p, i) => {
    const d = sorted(draws[i]!);
    return { value: nearestRank(sa, p) / nearestRank(sb, p), lo: nearestRank(d, 2.5), hi: nearestRank(d, 97.5) };
  });
}

/** Percentiles of one sample, each with its 95% interval. */
export function percentiles(samples: readonly number[], ps: readonly number[], resamples = 500, seed = 1): Estimate[] {
  const random = seededRandom(seed);
  const s = sorted(samples);
  const draws = ps.map(() => [] as number[]);
  for (let r = 0; r < resamples; r++) {
    const rs = resample(samples, random);
    ps.forEach((p, i) => draws[i]!.push(nearestRank(rs, p)));
  }
  return ps.map((p, i) => {
    const d = sorted(draws[i]!);
    return { value: nearestRank(s, p), lo: nearestRank(d, 2.5), hi: nearestRank(d, 97.5) };
  });
}
