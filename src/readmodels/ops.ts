/**
 * The write vocabulary of the read models. Every op is idempotent (set semantics, max-registers,
 * field overwrites; never INCR), so applying an event twice leaves the same state. The Lua script
 * (apply.ts) runs an event's ops after its version guard, in one atomic call.
 */
export type Op =
  | { op: 'HSET' | 'HSETNX' | 'HMAX'; key: string; a: string; b: string }
  | { op: 'HDEL' | 'ZREM' | 'SADD' | 'SREM' | 'PFADD'; key: string; a: string }
  | { op: 'ZADD'; key: string; a: string; b: string }
  | { op: 'SET'; key: string; a: string }
  | { op: 'DEL'; key: string };

/** The op that undoes `o` (when a row's previous image leaves an index). HLL and max-registers cannot shrink. */
export function inverse(o: Op): Op | null {
  switch (o.op) {
    case 'HSET':
    case 'HSETNX':
      return { op: 'HDEL', key: o.key, a: o.a };
    case 'ZADD':
      return { op: 'ZREM', key: o.key, a: o.b };
    case 'SADD':
      return { op: 'SREM', key: o.key, a: o.a };
    case 'SET':
      return { op: 'DEL', key: o.key };
    default:
      return null;
  }
}

export const opId = (o: Op): string => JSON.stringify(o);

/** Ops moving a row from its `before` effects to its `after` effects: removals of what is gone, then the new state. */
export function transition(before: Op[], after: Op[]): Op[] {
  const keep = new Set(after.map(opId));
  // A field or member that is rewritten by `after` need not be removed first (but HSETNX does not
  // overwrite, so a changed set-once field is removed and set again).
  const rewritten = new Set(
    after.filter((o) => o.op !== 'HSETNX').map((o) => `${o.key}\x00${'a' in o ? (o.op === 'ZADD' ? o.b : o.a) : ''}`),
  );
  const removals = before
    .filter((o) => !keep.has(opId(o)))
    .map(inverse)
    .filter((o): o is Op => o !== null)
    .filter((o) => !rewritten.has(`${o.key}\x00${'a' in o ? o.a : ''}`));
  return [...removals, ...after];
}
