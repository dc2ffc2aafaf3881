import { isInteger, isSafeNumber, parse } from 'lossless-json';

/**
 * Lossless JSON for connector messages: integers beyond 2^53 become `bigint`, every other number a
 * JS number (doubles are doubles at the source too). Every real connector message has such an
 * integer (`ts_ns`, ~1.8e18), so "JSON.parse unless a big integer appears" would never take the
 * fast path; instead:
 *
 * 1. one scan over the text (strings skipped with indexOf) counts the number tokens and object keys
 *    outside strings, and notes which number tokens are integer literals beyond 2^53 (16 or more
 *    digits; every integer of 15 digits or fewer is safe) and their text;
 * 2. `JSON.parse` (native, ~5x faster than lossless-json) parses the text;
 * 3. one walk over the result, in text order, counts the numbers and own keys again and replaces the
 *    noted numbers by `BigInt(<their text>)`. The walk sees values in text order because JSON.parse
 *    keeps insertion order for keys that do not start with a digit (integer-like keys would be
 *    moved first: such texts are left to lossless-json), and a key count lower than the scan's
 *    means a duplicate key, which lossless-json rejects (or, for equal values, keeps the first)
 *    while `JSON.parse` keeps the last.
 *
 * Anything the fast path is unsure of goes to lossless-json itself ({@link parseLosslessReference}):
 * duplicate keys, a big integer with a digit-first key anywhere in the text, a big integer with a
 * leading zero, counts that disagree, an unterminated string, and any text `JSON.parse` rejects (so
 * error messages stay lossless-json's). The result is therefore the reference parser's, value for
 * value (test/unit/cdc-json.test.ts compares both on fixtures, generated and corrupted texts).
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

/** 2^53 - 1: a 16-digit integer literal above it is unsafe (same length, so text order is numeric order). */
const MAX_SAFE_TEXT = String(Number.MAX_SAFE_INTEGER);

/** Exported for the tests only. */
export function fastParse(text: string): unknown {
  let keys = 0;
  let numbers = 0;
  let digitKey = false;
  // Unsafe integer literals: ordinal among the number tokens, then the literal.
  let big: (number | string)[] | undefined;
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
      let k = j + 1;
      while (isSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) === COLON) {
        keys++;
        if (isDigit(text.charCodeAt(i + 1))) digitKey = true;
      }
      i = j;
    } else if (c === MINUS || isDigit(c)) {
      // A number token: -?digits(.digits)?([eE][+-]?digits)?; malformed ones are JSON.parse's to reject.
      numbers++;
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
      if ((text.charCodeAt(j) | 0x20) === 0x65) {
        integer = false;
        j++;
        const s = text.charCodeAt(j);
        if (s === MINUS || s === 0x2b) j++;
        while (isDigit(text.charCodeAt(j))) j++;
      }
      const len = intEnd - digits;
      if (integer && len >= 16) {
        if (text.charCodeAt(digits) === ZERO) return FALLBACK;
        // No leading zero: 17+ digits are beyond 2^53; 16 digits compare as text.
        if (len > 16 || text.slice(digits, intEnd) > MAX_SAFE_TEXT)
          (big ??= []).push(numbers - 1, text.slice(i, intEnd));
      }
      i = j - 1;
    }
  }
  if (big && digitKey) return FALLBACK;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return FALLBACK;
  }
  const walk: Walk = { keys: 0, numbers: 0, big, next: 0, ok: true };
  if (typeof value === 'object' && value !== null) restore(value as Record<string, unknown>, walk);
  else if (typeof value === 'number') {
    walk.numbers = 1;
    if (big) return BigInt(big[1] as string);
  }
  return walk.ok && walk.keys === keys && walk.numbers === numbers ? value : FALLBACK;
}

interface Walk {
  keys: number;
  numbers: number;
  big: (number | string)[] | undefined;
  /** Index into big of the next unsafe literal. */
  next: number;
  ok: boolean;
}

/** In text order: counts keys and numbers, and replaces the noted numbers by their exact bigint. */
function restore(o: Record<string, unknown> | unknown[], w: Walk): void {
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const x: unknown = o[i];
      if (typeof x === 'number') {
        if (w.big && w.big[w.next] === w.numbers) o[i] = bigAt(x, w);
        w.numbers++;
      } else if (typeof x === 'object' && x !== null) restore(x as Record<string, unknown>, w);
    }
    return;
  }
  for (const name in o) {
    w.keys++;
    const x = o[name];
    if (typeof x === 'number') {
      // An own data property (JSON.parse made it), so even a "__proto__" key is a plain set.
      if (w.big && w.big[w.next] === w.numbers) o[name] = bigAt(x, w);
      w.numbers++;
    } else if (typeof x === 'object' && x !== null) restore(x as Record<string, unknown>, w);
  }
}

function bigAt(x: number, w: Walk): bigint | number {
  // The number JSON.parse made of an integer beyond 2^53 is never a safe integer: else the walk is out of step.
  if (Number.isSafeInteger(x)) w.ok = false;
  const b = BigInt(w.big![w.next + 1] as string);
  w.next += 2;
  return b;
}
