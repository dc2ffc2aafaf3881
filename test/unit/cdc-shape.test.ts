import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENVELOPE } from '../../src/cdc/envelope.ts';
import { parseLossless } from '../../src/cdc/json.ts';
import { ROW_SCHEMAS } from '../../src/cdc/rows.ts';
import { compileCheck, type Check } from '../../src/cdc/shape.ts';
import { stepEvent } from '../../src/bench/projector-events.ts';
import { fixtures } from '../support/fixtures.ts';
import { Rng } from '../../src/seed/rng.ts';

/**
 * The fast shape check may only accept what zod accepts, with zod's data equal to the value itself;
 * what it rejects goes to zod (which writes the error message), so it should reject only what zod
 * rejects too (else the fast path is needlessly slow).
 */
// The generator's seeded PRNG, so a failure is reproducible.
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const WRONG: unknown[] = [
  null,
  undefined,
  'x',
  '',
  0,
  -0,
  7,
  -7,
  0.5,
  1e20,
  -1e20,
  9007199254740993n,
  -5n,
  true,
  false,
  [],
  [1],
  {},
  { a: 1 },
  'human',
  'agent',
  'c',
  'u',
  'd',
  'q',
  Number.NaN,
  Number.POSITIVE_INFINITY,
];

function mutate(r: () => number, base: Record<string, unknown>): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const x = r();
  if (x < 0.03) return pick(WRONG);
  // An own "__proto__" key, as JSON.parse makes it: at the top or in a nested record (the envelope's key/after).
  const withProto = (o: Record<string, unknown>): Record<string, unknown> => {
    const p = JSON.parse('{"__proto__":{"a":1}}') as Record<string, unknown>;
    for (const [k, y] of Object.entries(o)) p[k] = y;
    return p;
  };
  if (x < 0.06) return withProto(base);
  const v: Record<string, unknown> = { ...base };
  if (x < 0.09 && typeof base['key'] === 'object' && base['key'])
    v['key'] = withProto(base['key'] as Record<string, unknown>);
  if (x < 0.09 && typeof base['after'] === 'object' && base['after'])
    v['after'] = withProto(base['after'] as Record<string, unknown>);
  const names = Object.keys(base);
  for (let n = Math.floor(r() * 3); n > 0; n--) {
    const k = pick(names);
    const y = r();
    if (y < 0.3) delete v[k];
    else if (y < 0.9) v[k] = pick(WRONG);
    else v[`extra_${k}`] = pick(WRONG);
  }
  return v;
}

function agree(name: string, schema: z.ZodType, check: Check, v: unknown): 'fast' | 'zod' | 'rejected' {
  const zod = schema.safeParse(v);
  if (check(v)) {
    expect(
      zod.success,
      `${name}: fast check accepted what zod rejects: ${String(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)))}`,
    ).toBe(true);
    expect(zod.data).toEqual(v);
    return 'fast';
  }
  const own = (o: unknown): boolean =>
    typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, '__proto__');
  const hasProto = own(v) || (typeof v === 'object' && v !== null && Object.values(v).some(own));
  // Apart from objects with an own __proto__ key (left to zod on purpose), zod must reject too.
  if (!hasProto)
    expect(
      zod.success,
      `${name}: fast check rejected what zod accepts: ${String(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)))}`,
    ).toBe(false);
  return zod.success ? 'zod' : 'rejected';
}

describe('fast shape checks derived from the zod schemas', () => {
  const schemas: [string, z.ZodType][] = [['envelope', ENVELOPE], ...Object.entries(ROW_SCHEMAS)];

  it('compile for the envelope and every row schema; unknown constructs compile to undefined (zod always runs)', () => {
    for (const [name, s] of schemas) expect(compileCheck(s), name).toBeTypeOf('function');
    expect(compileCheck(z.object({ a: z.string() }))).toBeUndefined();
    expect(compileCheck(z.looseObject({ a: z.string().min(1) }))).toBeUndefined();
    expect(compileCheck(z.looseObject({ a: z.number() }))).toBeUndefined();
    expect(compileCheck(z.looseObject({ a: z.coerce.number().int() }))).toBeUndefined();
    expect(compileCheck(z.looseObject({ toString: z.string().nullish() }))).toBeUndefined();
    expect(compileCheck(z.record(z.string(), z.number()))).toBeUndefined();
  });

  it('agree with zod on each understood construct, alone', () => {
    const synthetic: [string, z.ZodType][] = [
      ['optional', z.looseObject({ a: z.string().optional() })],
      ['nullable', z.looseObject({ a: z.string().nullable() })],
      ['nullish int', z.looseObject({ a: z.number().int().nullish() })],
      ['bigint', z.looseObject({ a: z.bigint() })],
      ['union', z.looseObject({ a: z.union([z.number().int(), z.bigint()]) })],
      ['enum', z.looseObject({ a: z.enum(['human', 'agent']) })],
      ['record', z.looseObject({ a: z.record(z.string(), z.unknown()) })],
      ['unknown', z.looseObject({ a: z.unknown() })],
    ];
    for (const [name, schema] of synthetic) {
      const check = compileCheck(schema)!;
      for (const x of WRONG) {
        agree(name, schema, check, { a: x });
        agree(name, schema, check, { a: x, b: x });
      }
      agree(name, schema, check, {});
    }
  });

  it('accept every fixture and bench event, whose images then are zod data as they are', () => {
    const values = fixtures()
      .filter((f) => f.message.value !== null)
      .map((f) => parseLossless(f.message.value!.toString()) as Record<string, unknown>);
    for (let i = 0; i < 20; i++)
      values.push(parseLossless(stepEvent('t', i, 'ks', 'p').value!.toString()) as Record<string, unknown>);
    const tables = new Map(Object.entries(ROW_SCHEMAS));
    for (const v of values) {
      expect(agree('envelope', ENVELOPE, compileCheck(ENVELOPE)!, v)).toBe('fast');
      const table = (v['source'] as { table_name: string }).table_name;
      for (const image of [v['before'], v['after']]) {
        if (image) expect(agree(table, tables.get(table)!, compileCheck(tables.get(table)!)!, image)).toBe('fast');
      }
    }
  });

  it('agree with zod on 40,000 mutated envelopes and row images', () => {
    const r = rng(4242);
    const bases = new Map<string, Record<string, unknown>[]>(schemas.map(([n]) => [n, []]));
    for (const f of fixtures()) {
      if (f.message.value === null) continue;
      const v = parseLossless(f.message.value!.toString()) as Record<string, unknown>;
      bases.get('envelope')!.push(v);
      for (const image of [v['before'], v['after']])
        if (image) bases.get(f.table)!.push(image as Record<string, unknown>);
    }
    const seen = { fast: 0, zod: 0, rejected: 0 };
    for (let i = 0; i < 40_000; i++) {
      const [name, schema] = schemas[i % schemas.length]!;
      const base = bases.get(name)![Math.floor(r() * bases.get(name)!.length)]!;
      seen[agree(name, schema, compileCheck(schema)!, mutate(r, base))]++;
    }
    expect(seen.fast).toBeGreaterThan(5000);
    expect(seen.rejected).toBeGreaterThan(5000);
  });
});
