import type { Redis } from '../clients/redis.ts';
import { Keys } from './keys.ts';

/**
 * Read-model generations. `<base>:current` names the live generation; its keys are under
 * `<base>:<generation>:` and the projector consumes as `<group>.<generation>`. A rebuild fills a
 * new generation from the earliest offset under a new group, then flips the pointer with one
 * compare-and-set, so readers switch from one complete generation to the next in a single step.
 */
export const pointerKey = (base: string): string => `${base}:current`;
export const prefixOf = (base: string, generation: string): string => `${base}:${generation}`;
/** The state of a rebuild from CQL in progress (src/projector/rebuild-from-cql.ts), beside the pointer. */
export const rebuildStateKey = (base: string): string => `${base}:rebuild`;
export const groupOf = (group: string, generation: string): string => `${group}.${generation}`;
const FIRST_GENERATION = 'g1';

/**
 * How long a dropped generation stays marked retired. A projector follows a switch within seconds
 * (its pointer watch); the marker only has to outlive one that was cut off meanwhile, and expiring
 * keeps one small key per rebuild from accumulating.
 */
const RETIRED_TTL_S = 7 * 86_400;

/** The live generation; the first caller on an empty Redis creates it. */
export async function currentGeneration(redis: Redis, base: string): Promise<string> {
  // A pointer created anew (an emptied Redis, or the pointer deleted by hand) starts the first
  // generation afresh, even if an earlier rebuild retired it.
  if ((await redis.set(pointerKey(base), FIRST_GENERATION, { NX: true })) === 'OK')
    await redis.del(new Keys(prefixOf(base, FIRST_GENERATION)).retired);
  return (await redis.get(pointerKey(base))) ?? FIRST_GENERATION;
}

const CAS = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;

/** Flips the pointer from `from` to `to`; false if someone else switched it first. */
export async function switchGeneration(redis: Redis, base: string, from: string, to: string): Promise<boolean> {
  return (await redis.eval(CAS, { keys: [pointerKey(base)], arguments: [from, to] })) === 1;
}

/**
 * Deletes every key of a generation (SCAN + UNLINK: no blocking KEYS, memory freed in the background),
 * after marking it retired so that no projector still on it writes them again.
 */
export async function dropGeneration(redis: Redis, base: string, generation: string): Promise<number> {
  await redis.set(new Keys(prefixOf(base, generation)).retired, 'retired', { EX: RETIRED_TTL_S });
  let deleted = 0;
  for await (const keys of redis.scanIterator({ MATCH: `${prefixOf(base, generation)}:*`, COUNT: 1000 })) {
    const batch = keys as unknown as string[];
    if (batch.length) deleted += await redis.unlink(batch);
  }
  return deleted;
}

/**
 * The live generation's keys for a reader, re-reading the pointer at most every `refreshMs`, so a
 * rebuild's switch is seen within that time without a GET before every query. Read-only: the
 * projector creates the pointer; before it exists the first generation is meant.
 */
export class LiveKeys {
  private cached: { keys: Keys; at: number } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly base: string,
    private readonly refreshMs = 1000,
  ) {}

  async get(): Promise<Keys> {
    if (!this.cached || performance.now() - this.cached.at > this.refreshMs) {
      const generation = (await this.redis.get(pointerKey(this.base))) ?? FIRST_GENERATION;
      this.cached = { keys: new Keys(prefixOf(this.base, generation)), at: performance.now() };
    }
    return this.cached.keys;
  }
}
