import { createHash } from 'node:crypto';
import type { Redis } from '../clients/redis.ts';
import type { Effect } from './effects.ts';
import type { Keys } from './keys.ts';

/**
 * Applies events' effects atomically: for each event, the version guard check, the guard update and
 * every read-model write run inside one Lua script, so a crash can never leave an effect applied
 * without its guard (which a redelivery would then apply again) or a guard without its effect
 * (which would lose the event). Redis runs a script to completion before any other command.
 * Several events go in one script call (in order; each checks its own guard) to save calls and
 * round trips; each event's guard and effect stay together whatever the call size.
 *
 * KEYS[1] is the generation's retirement marker (Keys.retired): once a rebuild has dropped the
 * generation, a projector still consuming it (slow to follow the pointer, or cut off) must not
 * bring its keys back, so the whole call is refused and returns {-1}.
 *
 * ARGV[1] = event count; per event: ts_us, write-guard flag, guard field, KEYS index of the guard,
 * op count, then 4 slots per op: name, KEYS index, a, b. KEYS lists every key once per use (a
 * cluster deployment would need hash tags; a single Redis does not). ts_us fits a Lua double
 * exactly until the year 2255 (2^53 us). Returns one 1 (applied) or 0 (refused) per event.
 */
const APPLY_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
local out = {}
local p = 2
for e = 1, tonumber(ARGV[1]) do
  local ts, write, field, guard, n = ARGV[p], ARGV[p + 1], ARGV[p + 2], KEYS[tonumber(ARGV[p + 3])], tonumber(ARGV[p + 4])
  p = p + 5
  local cur = redis.call('HGET', guard, field)
  if cur and tonumber(cur) >= tonumber(ts) then
    out[e] = 0
  else
    if write == '1' then redis.call('HSET', guard, field, ts) end
    for i = 0, n - 1 do
      local b = p + i * 4
      local op, key, a, v = ARGV[b], KEYS[tonumber(ARGV[b + 1])], ARGV[b + 2], ARGV[b + 3]
      if op == 'HMAX' then
        local c = redis.call('HGET', key, a)
        if not c or tonumber(c) < tonumber(v) then redis.call('HSET', key, a, v) end
      elseif op == 'ZADD' or op == 'HSET' or op == 'HSETNX' then redis.call(op, key, a, v)
      elseif op == 'DEL' then redis.call('DEL', key)
      else redis.call(op, key, a) end
    end
    out[e] = 1
  end
  p = p + n * 4
end
return out
`;

export const APPLY_SHA = createHash('sha1').update(APPLY_LUA).digest('hex');

export interface Change {
  tsUs: string;
  effect: Effect;
}

/** Thrown when the generation being applied to has been retired (dropped by a rebuild). */
export class RetiredGenerationError extends Error {
  override name = 'RetiredGenerationError';
  constructor(readonly prefix: string) {
    super(`read-model generation ${prefix} was retired by a rebuild; its projector must follow the pointer`);
  }
}

export function scriptArgs(generation: Keys, changes: Change[]): { keys: string[]; arguments: string[] } {
  const keys: string[] = [generation.retired];
  const args = [String(changes.length)];
  for (const { tsUs, effect: e } of changes) {
    keys.push(e.guardKey);
    args.push(tsUs, e.writeGuard ? '1' : '0', e.guardField, String(keys.length), String(e.ops.length));
    for (const o of e.ops) {
      keys.push(o.key);
      args.push(o.op, String(keys.length), 'a' in o ? o.a : '', 'b' in o ? o.b : '');
    }
  }
  return { keys, arguments: args };
}

export async function loadScript(redis: Redis): Promise<void> {
  const sha = await redis.scriptLoad(APPLY_LUA);
  if (sha !== APPLY_SHA) throw new Error(`Redis returned script sha ${sha}, expected ${APPLY_SHA}`);
}

/** Events per script call: large enough to amortise the call, small enough not to stall Redis (~1 ms). */
export const EVENTS_PER_CALL = 64;

/**
 * Applies changes (their effects built with `generation`'s keys) in order; per change true = applied,
 * false = a duplicate or an older version (refused by the guard). RetiredGenerationError when the
 * generation was dropped.
 */
export async function applyChanges(redis: Redis, generation: Keys, changes: Change[]): Promise<boolean[]> {
  const calls: Promise<boolean[]>[] = [];
  // Issued without awaiting each other: node-redis pipelines them and Redis runs them in order.
  for (let i = 0; i < changes.length; i += EVENTS_PER_CALL)
    calls.push(call(redis, generation, changes.slice(i, i + EVENTS_PER_CALL)));
  return (await Promise.all(calls)).flat();
}

async function call(redis: Redis, generation: Keys, changes: Change[]): Promise<boolean[]> {
  const opts = scriptArgs(generation, changes);
  let reply: unknown;
  try {
    reply = await redis.evalSha(APPLY_SHA, opts);
  } catch (err) {
    // After a Redis restart or SCRIPT FLUSH the cached script is gone: send the body once.
    if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
    reply = await redis.eval(APPLY_LUA, opts);
  }
  const results = reply as number[];
  if (results[0] === -1) throw new RetiredGenerationError(generation.prefix);
  return results.map((r) => r === 1);
}

/** One event (tests, tools). */
export async function applyEffect(redis: Redis, generation: Keys, tsUs: string, effect: Effect): Promise<boolean> {
  return (await applyChanges(redis, generation, [{ tsUs, effect }]))[0]!;
}
