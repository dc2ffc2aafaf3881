import type { z } from 'zod';

/**
 * A fast acceptance test derived from a zod schema, for values parsed from JSON: `check(v)` is true
 * only if `schema.safeParse(v)` succeeds with data equal to `v` itself. It is a fast path, not a
 * replacement: a value it does not accept goes to zod, which decides and writes the error message
 * (naming the field) as before. Per event, zod costs ~4 us (it builds a copy of every object);
 * this check well under 1 us.
 *
 * Understood (anything else makes {@link compileCheck} return undefined, so zod always runs):
 * string, bigint, unknown, number with only `.int()`, enum, optional, nullable, union, record of
 * string -> unknown, and loose objects (catchall unknown: unknown keys are kept as they are, so the
 * value is its own parse result). An absent key passes only an `optional` field. Objects with an
 * own `__proto__` key are left to zod, which strips that key. For JSON values (no functions, plain prototypes) zod's object and record type tests are
 * both "a non-null, non-array object". test/unit/cdc-shape.test.ts compares both on generated values.
 */
export type Check = (v: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: { check?: string; format?: string } } }[];
  coerce?: boolean;
  innerType?: unknown;
  options?: unknown[];
  entries?: Record<string, unknown>;
  keyType?: unknown;
  valueType?: unknown;
  shape?: Record<string, unknown>;
  catchall?: unknown;
}

const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasProto = (o: object): boolean => Object.prototype.hasOwnProperty.call(o, '__proto__');

export function compileCheck(schema: z.ZodType | unknown): Check | undefined {
  const d = defOf(schema);
  const checks = d.checks ?? [];
  if (d.coerce) return undefined;
  if (d.type === 'number') {
    // z.number().int(): a safe integer (zod v4's int is the safe range; it rejects NaN and infinities).
    const only = checks.length === 1 ? checks[0]!._zod.def : undefined;
    return only?.check === 'number_format' && only.format === 'safeint' ? (v) => Number.isSafeInteger(v) : undefined;
  }
  if (checks.length) return undefined;
  switch (d.type) {
    case 'string':
      return (v) => typeof v === 'string';
    case 'bigint':
      return (v) => typeof v === 'bigint';
    case 'unknown':
      return () => true;
    case 'enum': {
      const values = Object.values(d.entries ?? {});
      if (!values.every((x) => typeof x === 'string')) return undefined;
      const set = new Set(values);
      return (v) => typeof v === 'string' && set.has(v);
    }
    case 'optional': {
      const inner = compileCheck(d.innerType);
      return inner && ((v) => v === undefined || inner(v));
    }
    case 'nullable': {
      const inner = compileCheck(d.innerType);
      return inner && ((v) => v === null || inner(v));
    }
    case 'union': {
      const options = (d.options ?? []).map(compileCheck);
      if (!options.length || options.some((o) => !o)) return undefined;
      const os = options as Check[];
      return (v) => os.some((o) => o(v));
    }
    case 'record': {
      const k = defOf(d.keyType);
      const val = defOf(d.valueType);
      if (k.type !== 'string' || k.checks?.length || val.type !== 'unknown') return undefined;
      return (v) => isObject(v) && !hasProto(v);
    }
    case 'object': {
      // Only loose objects: a plain z.object strips unknown keys, so its output differs from its input.
      if (!d.catchall || defOf(d.catchall).type !== 'unknown') return undefined;
      const fields = Object.entries(d.shape ?? {}).map(([name, s]) => [name, compileCheck(s)] as const);
      // A field named like an Object.prototype member would read the prototype's value when absent.
      if (fields.some(([n, c]) => !c || n in Object.prototype)) return undefined;
      const names = fields.map(([n]) => n);
      // An absent key passes only an optional field: zod reports any other absent key as missing,
      // even if its type accepts undefined (z.unknown()).
      const optional = fields.map(([name]) => defOf(d.shape![name]).type === 'optional');
      const cs = fields.map(([, c]) => c!);
      return (v) => {
        if (!isObject(v) || hasProto(v)) return false;
        for (let i = 0; i < names.length; i++) {
          const x = v[names[i]!];
          if (x === undefined && !optional[i] && !Object.prototype.hasOwnProperty.call(v, names[i]!)) return false;
          if (!cs[i]!(x)) return false;
        }
        return true;
      };
    }
    default:
      return undefined;
  }
}

/** `compileCheck`, required: a schema the compiler does not understand is a programming error here. */
export function mustCompile(schema: z.ZodType): Check {
  const c = compileCheck(schema);
  if (!c) throw new Error('compileCheck: schema outside the understood subset (see src/cdc/shape.ts)');
  return c;
}
