/**
 * A small, fast, seedable PRNG (sfc32) and the hashing behind the generator's ids. Reseeding per
 * session costs a few operations, so any session can be regenerated on its own.
 * Never Math.random, never the clock: everything follows from the seed.
 */

/** A 32-bit avalanche mix (murmur3's finalizer). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A number (any size, any sign) folded into 32 bits, distinct for 0 .. 2^32-1. */
export function fold32(n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return hi === 0 ? lo : (lo ^ mix32(hi + 0x9e3779b9)) >>> 0;
}

/** A 4-round Feistel permutation of a pair of 32-bit words: distinct inputs give distinct outputs. */
export function permute64(l: number, r: number, key: number): [number, number] {
  for (let round = 0; round < 4; round++) {
    const f = mix32((r ^ Math.imul(key + round, 0x9e3779b1)) >>> 0);
    const next = (l ^ f) >>> 0;
    l = r;
    r = next;
  }
  return [l, r];
}

/** Fixed width (7 characters covers 2^32) so concatenations stay unambiguous. */
export const base36 = (u32: number, width = 7): string => u32.toString(36).padStart(width, '0');

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;
  private spare: number | null = null;

  constructor(...seed: number[]) {
    this.seed(seed);
  }

  seed(seed: number | number[]): void {
    const words = Array.isArray(seed) ? seed : [seed];
    let h = 0x811c9dc5;
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    for (const w of words) {
      h = mix32((h ^ fold32(w)) + 0x6d2b79f5);
      this.a ^= h;
      this.b = mix32(this.b + h);
      this.c ^= mix32(h ^ 0x5bd1e995);
    }
    this.d = 1;
    this.spare = null;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An index drawn with the given (unnormalised) weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** `n` distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = items.slice();
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A lognormal integer around `median`, clamped to [min, max]. */
  lognormal(median: number, sigma: number, min: number, max: number): number {
    const x = Math.round(median * Math.exp(sigma * this.normal()));
    return x < min ? min : x > max ? max : x;
  }

  /** A score-like number rounded to 3 decimals in [lo, hi]. */
  decimal3(lo: number, hi: number): number {
    return Math.round((lo + this.next() * (hi - lo)) * 1000) / 1000;
  }
}
