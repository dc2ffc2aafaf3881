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

/** The live generation; the first caller on an empty Redis creates it. */
export async function currentGeneration(redis: Redis, base: string): Promise<string> {
  await redis.set(pointerKey(base), FIRST_GENERATION, { NX: true });
  return (await redis.get(pointerKey(base))) ?? FIRST_GENERATION;
}

const CAS = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;

/** Flips the pointer from `from` to `to`; false if someone else switched it first. */
export async function switchGeneration(redis: Redis, base: string, from: string, to: string): Promise<boolean> {
  return (await redis.eval(CAS, { keys: [pointerKey(base)], arguments: [from, to] })) === 1;
}

/** Deletes every key of a generation (SCAN + UNLINK: no blocking KEYS, memory freed in the background). */
export async function dropGeneration(redis: Redis, base: string, generation: string): Promise<number> {
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
