import { isInteger, isSafeNumber, parse } from 'lossless-json';

/**
 * Lossless JSON for connector messages: integers beyond 2^53 become `bigint`, every other number a
 * JS number (doubles are doubles at the source too). Every real connector message has one such
 * integer (`ts_ns`, ~1.8e18), so "JSON.parse unless a big integer appears" would never take the
 * fast path; instead:
 *
 * 1. one scan over the text (strings skipped with indexOf) finds the integer literals of 16 or
 *    more digits outside strings (every integer of 15 digits or fewer is safe) and counts the
 *    object keys;
 * 2. the unsafe ones (lossless-json's own test: `isInteger && !isSafeNumber`) are replaced in the
 *    text by marker strings `"\u0000<n>"`, and `JSON.parse` (native, ~5x faster than lossless-json)
 *    parses the result;
 * 3. one walk over the parsed value turns the markers back into `BigInt(<literal>)` and counts the
 *    own keys of every object: fewer than the scan counted means a duplicate key, which lossless-json
 *    rejects (or, for equal values, keeps the first) while `JSON.parse` keeps the last.
 *
 * Anything the fast path is unsure of goes to lossless-json itself ({@link parseLosslessReference}):
 * a text containing `\u0000` (a marker could collide with a real string), a big integer in a key
 * position or with a leading zero (invalid JSON the substitution could make valid), an unterminated
 * string, duplicate keys, and any text `JSON.parse` rejects (so error messages stay lossless-json's).
 * The result is therefore the reference parser's, value for value (test/unit/cdc-json.test.ts
 * compares both on fixtures, generated documents and corrupted texts).
 */
export function parseLossless(text: string): unknown {
  const r = fastParse(text);
  return r === FALLBACK ? parseLosslessReference(text) : r;
}

/** The reference: lossless-json's parser with the number rule above (~5x slower than {@link parseLossless}). */
export function parseLosslessReference(text: string): unknown {
  return parse(text, null, (v) => (isInteger(v) && !isSafeNumber(v) ? BigInt(v) : parseFloat(v)));
}

/** What {@link fastParse} returns when it leaves the text to lossless-json (exported for the tests). */
export const FALLBACK = Symbol('fallback');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const COLON = 0x3a;
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Exported for the tests only. */
export function fastParse(text: string): unknown {
  let keys = 0;
  // Unsafe integer literals: start, end offsets.
  let spans: number[] | undefined;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // The closing quote: the next one preceded by an even number of backslashes.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) return FALLBACK;
        let b = j - 1;
        while (text.charCodeAt(b) === BACKSLASH) b--;
        if ((j - 1 - b) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      i = j;
      let k = j + 1;
      while (isSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) === COLON) keys++;
    } else if (c === MINUS || isDigit(c)) {
      // A number token: -?digits(.digits)?([eE][+-]?digits)?; malformed ones are JSON.parse's to reject.
      const digits = c === MINUS ? i + 1 : i;
      let j = digits;
      while (isDigit(text.charCodeAt(j))) j++;
      const intEnd = j;
      let integer = true;
      if (text.charCodeAt(j) === DOT) {
        integer = false;
        j++;
        while (isDigit(text.charCodeAt(j))) j++;
      }
      const e = text.charCodeAt(j) | 0x20;
      if (e === 0x65) {
        integer = false;
        j++;
        const s = text.charCodeAt(j);
        if (s === MINUS || s === 0x2b) j++;
        while (isDigit(text.charCodeAt(j))) j++;
      }
      if (integer && intEnd - digits >= 16) {
        const literal = text.slice(i, intEnd);
        if (!isSafeNumber(literal)) {
          if (text.charCodeAt(digits) === ZERO) return FALLBACK;
          let k = intEnd;
          while (isSpace(text.charCodeAt(k))) k++;
          if (text.charCodeAt(k) === COLON) return FALLBACK;
          (spans ??= []).push(i, intEnd);
        }
      }
      i = j - 1;
    }
  }
  let source = text;
  let big: bigint[] | undefined;
  if (spans) {
    if (text.includes('\\u0000')) return FALLBACK;
    big = [];
    let out = '';
    let at = 0;
    for (let s = 0; s < spans.length; s += 2) {
      const start = spans[s]!;
      const end = spans[s + 1]!;
      out += `${text.slice(at, start)}"\\u0000${big.length}"`;
      big.push(BigInt(text.slice(start, end)));
      at = end;
    }
    source = out + text.slice(at);
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return FALLBACK;
  }
  const walk = { keys: 0, big };
  const v = restore(value, walk);
  return walk.keys === keys ? v : FALLBACK;
}

/** Markers back to bigint, in place; counts own keys (duplicates collapse in JSON.parse). */
function restore(v: unknown, w: { keys: number; big: bigint[] | undefined }): unknown {
  if (typeof v === 'string') return w.big && v.charCodeAt(0) === 0 ? w.big[Number(v.slice(1))] : v;
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object') restore(x, w);
      else if (w.big && typeof x === 'string' && x.charCodeAt(0) === 0) v[i] = restore(x, w);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  const names = Object.keys(o);
  w.keys += names.length;
  for (let i = 0; i < names.length; i++) {
    const x = o[names[i]!];
    // Only a marker is reassigned (an own data property, so even a "__proto__" key is a plain set).
    if (typeof x === 'object') restore(x, w);
    else if (w.big && typeof x === 'string' && x.charCodeAt(0) === 0) o[names[i]!] = restore(x, w);
  }
  return o;
}
