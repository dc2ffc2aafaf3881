import { describe, expect, it } from 'vitest';
import { FALLBACK, fastParse, parseLossless, parseLosslessReference } from '../../src/cdc/json.ts';
import { stepEvent } from '../../src/bench/projector-events.ts';
import { fixtures } from '../support/fixtures.ts';
import { Rng } from '../../src/seed/rng.ts';

/**
 * The fast lossless parse (scan + JSON.parse + bigint restore) must give exactly what lossless-json
 * gives: same types (bigint vs number), same values (-0 included), same key order, and for bad input
 * the same error message.
 */
const canon = (v: unknown): string => {
  if (typeof v === 'bigint') return `b:${v}`;
  if (typeof v === 'number') return `n:${Object.is(v, -0) ? '-0' : String(v)}`;
  if (typeof v === 'string') return `s:${JSON.stringify(v)}`;
  if (v === null || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  const o = v as Record<string, unknown>;
  if (Object.getPrototypeOf(o) !== Object.prototype) return 'bad prototype';
  return `{${Object.keys(o)
    .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
    .join(',')}}`;
};
const outcome = (parse: (t: string) => unknown, text: string): string => {
  try {
    return canon(parse(text));
  } catch (err) {
    return `error ${(err as Error).name}: ${(err as Error).message}`;
  }
};
const same = (text: string): void => {
  expect(outcome(parseLossless, text), text).toBe(outcome(parseLosslessReference, text));
};
const fast = (text: string): boolean => fastParse(text) !== FALLBACK;

// The generator's seeded PRNG, so a failure is reproducible.
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const NUMBERS = [
  '0',
  '-0',
  '7',
  '-7',
  '0.5',
  '-0.5',
  '1e3',
  '1E+3',
  '-2.5e-7',
  '6.02214076e23',
  '1e400',
  '-1e400',
  '1e-400',
  '0.1234567890123456789012',
  '123456789012345',
  '1234567890123456',
  '-1234567890123456',
  '9007199254740991',
  '-9007199254740991',
  '9007199254740992',
  '-9007199254740992',
  '9007199254740993',
  '-9007199254740993',
  '1760000003100000000',
  '-1760000003100000000',
  '18446744073709551615',
  '123456789012345678901234567890',
  '12345678901234567890.5',
  '12345678901234567890e0',
  '-12345678901234567890E-2',
  '9007199254740993.0',
  '100000000000000000000',
  '1.7976931348623157e308',
];
const STRINGS = [
  '',
  'a',
  'step 12345678901234567890',
  ':12345678901234567890,',
  'q"uote',
  'back\\slash',
  '\\"',
  'tab\tnl\n',
  'ünï',
  '😀',
  '\u0001',
  '{"x":9007199254740993}',
  '-',
  '9007199254740993',
];

function genValue(r: () => number, depth: number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ws = (): string => (r() < 0.2 ? pick([' ', '\n', '\t', '\r\n', '  ']) : '');
  const x = r();
  if (depth > 3 || x < 0.35) return pick(NUMBERS);
  if (x < 0.55) return JSON.stringify(pick(STRINGS));
  if (x < 0.62) return pick(['true', 'false', 'null']);
  if (x < 0.8) {
    const n = Math.floor(r() * 4);
    return `[${ws()}${Array.from({ length: n }, () => `${ws()}${genValue(r, depth + 1)}${ws()}`).join(',')}]`;
  }
  const n = Math.floor(r() * 5);
  const keys = ['a', 'b', 'ts_ns', '1', '10', '__proto__', 'k"q', '12345678901234567890', ''];
  return `{${ws()}${Array.from({ length: n }, () => `${ws()}${JSON.stringify(pick(keys))}${ws()}:${ws()}${genValue(r, depth + 1)}${ws()}`).join(',')}}`;
}

describe('fast lossless JSON parse', () => {
  it('decodes every connector fixture and the bench events like lossless-json, on the fast path', () => {
    for (const f of fixtures()) {
      if (f.message.value === null) continue;
      const text = f.message.value!.toString();
      same(text);
      expect(fast(text), f.name).toBe(true);
    }
    for (let i = 0; i < 50; i++) {
      const text = stepEvent('t', i, 'ks', 'p').value!.toString();
      same(text);
      expect(fast(text)).toBe(true);
    }
  });

  it('keeps integers beyond 2^53 exact (bigint) and every other number a JS number', () => {
    const v = parseLossless(
      '{"a":9007199254740993,"b":-9007199254740993,"c":9007199254740991,"d":[1760000003100000000,-0,0.5,-2.5e-7,1E+3,12345678901234567890.5],"e":"12345678901234567890"}',
    ) as Record<string, unknown>;
    expect(v['a']).toBe(9007199254740993n);
    expect(v['b']).toBe(-9007199254740993n);
    expect(v['c']).toBe(9007199254740991);
    expect(v['d']).toEqual([1760000003100000000n, -0, 0.5, -2.5e-7, 1000, 12345678901234567890.5]);
    expect(Object.is((v['d'] as unknown[])[1], -0)).toBe(true);
    expect(v['e']).toBe('12345678901234567890');
  });

  it('matches lossless-json on the edge cases, taking the fast path only where it is safe', () => {
    const cases: [string, boolean][] = [
      ['{"a":1}', true],
      ['[9007199254740993, -9007199254740993 , 1e400]', true],
      ['9007199254740993', true],
      ['"s 9007199254740993"', true],
      ['{"s":"a\\"b:12345678901234567890,\\\\","n":12345678901234567890}', true],
      ['{"s":"\\\\\\"", "n" : 12345678901234567890 }', true],
      ['{"__proto__":9007199254740993,"x":{"__proto__":1}}', true],
      // JSON.parse moves integer-like keys first, so the walk would not see numbers in text order.
      ['{"1":9007199254740993,"b":2,"0":3}', false],
      ['{"b":[{"1":5}],"c":9007199254740993}', false],
      ['{"1":5,"b":2,"0":3}', true],
      // Duplicate keys: lossless-json rejects different values and keeps equal ones; JSON.parse would keep the last.
      ['{"a":1,"a":2}', false],
      ['{"a":{"b":1},"a":{"b":1}}', false],
      ['{"a":9007199254740993,"a":9007199254740994}', false],
      ['{"a":"\\u00000","b":9007199254740993}', true],
      ['{"a":[1,[2,9007199254740993],{"x":-9007199254740993}],"b":1e400,"c":[9007199254740993]}', true],
      // Invalid JSON the substitution could have made valid: a number as key, leading zeros.
      ['{12345678901234567890:1}', false],
      ['{"a":012345678901234567}', false],
      ['{"a":-012345678901234567}', false],
      // Invalid JSON: the reference's error message.
      ['{not json', false],
      ['{"a":"unterminated', false],
      ['{"a":1,}', false],
      ['[1,]', false],
      ['{"a":12345678901234567890 12345678901234567890}', false],
      ['{"a":-}', false],
      ['{"a":1.}', false],
      ['{"a":1e}', false],
      ['{"a":.5}', false],
      ['{"a":tru12345678901234567}', false],
      ['"\u0001"', false],
      ['\uFEFF{}', false],
      ['', false],
      ['  ', false],
    ];
    for (const [text, isFast] of cases) {
      same(text);
      expect(fast(text), text).toBe(isFast);
    }
  });

  it('matches lossless-json on 20,000 generated documents and 20,000 corrupted ones', () => {
    const r = rng(20261121);
    let fastCount = 0;
    let errors = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = genValue(r, 0);
      same(text);
      if (fast(text)) fastCount++;
      // Corrupt it: delete, duplicate or insert one character.
      const at = Math.floor(r() * (text.length + 1));
      const ch = '{}[]":,-0123456789.eE\\ atn'[Math.floor(r() * 26)]!;
      const op = r();
      const bad =
        op < 0.33
          ? text.slice(0, at) + text.slice(at + 1)
          : op < 0.66
            ? text.slice(0, at) + ch + text.slice(at)
            : text.slice(0, at) + text.slice(at, at + 1) + text.slice(at);
      same(bad);
      if (outcome(parseLosslessReference, bad).startsWith('error')) errors++;
    }
    // The generator must exercise both paths and plenty of bad input.
    expect(fastCount).toBeGreaterThan(10_000);
    expect(errors).toBeGreaterThan(5_000);
  });
});
