import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL } from '../../src/config/local-services.ts';
import { applyEffect, loadScript } from '../../src/readmodels/apply.ts';
import type { Redis } from '../../src/clients/redis.ts';
import type { Effect } from '../../src/readmodels/effects.ts';
import { dropGeneration, prefixOf } from '../../src/readmodels/generation.ts';
import { Keys } from '../../src/readmodels/keys.ts';

// The Lua guard on a real Redis: newer applies, equal or older is refused, deletes fence older writes.
const p = `t_guard_${randomBytes(3).toString('hex')}`;
let redis: Redis;
/** The generation these effects belong to: its retirement marker is the prefix itself. */
const gen = new Keys(p);
const effect = (ops: Effect['ops'], writeGuard = true): Effect => ({
  guardKey: `${p}:g`,
  guardField: 'row',
  writeGuard,
  ops,
});
const set = (v: string) => effect([{ op: 'HSET', key: `${p}:h`, a: 'f', b: v }]);

beforeAll(async () => {
  redis = createClient({ url: LOCAL.redis });
  await redis.connect();
  await loadScript(redis);
});
afterAll(async () => {
  await redis.del([`${p}:g`, `${p}:h`, `${p}:m`, p]);
  await redis.quit();
});

describe('apply script', () => {
  it('applies newer versions only, atomically with the guard', async () => {
    expect(await applyEffect(redis, gen, '2000', set('v2'))).toBe(true);
    expect(await applyEffect(redis, gen, '2000', set('v2-dup'))).toBe(false);
    expect(await applyEffect(redis, gen, '1000', set('v1'))).toBe(false);
    expect(await redis.hGet(`${p}:h`, 'f')).toBe('v2');
    expect(await redis.hGet(`${p}:g`, 'row')).toBe('2000');
    expect(await applyEffect(redis, gen, '3000', effect([{ op: 'HDEL', key: `${p}:h`, a: 'f' }]))).toBe(true);
    expect(await applyEffect(redis, gen, '2500', set('late insert'))).toBe(false);
    expect(await redis.hGet(`${p}:h`, 'f')).toBeNull();
  });

  it('HMAX is a max-register and guard-free effects still respect a delete fence', async () => {
    const max = (v: string) => effect([{ op: 'HMAX', key: `${p}:m`, a: 'la', b: v }], false);
    expect(await applyEffect(redis, gen, '100', max('50'))).toBe(false); // fenced by the delete at 3000 above
    await redis.del(`${p}:g`);
    await applyEffect(redis, gen, '100', max('50'));
    await applyEffect(redis, gen, '90', max('40'));
    await applyEffect(redis, gen, '90', max('40'));
    expect(await redis.hGet(`${p}:m`, 'la')).toBe('50');
    expect(await redis.exists(`${p}:g`)).toBe(0);
  });

  it('recovers when Redis lost the cached script (NOSCRIPT)', async () => {
    await redis.scriptFlush();
    expect(await applyEffect(redis, gen, '5000', set('after flush'))).toBe(true);
  });

  it('a dropped generation stays dropped: a projector still on it writes nothing back', async () => {
    const base = `${p}_drop`;
    const old = new Keys(prefixOf(base, 'g1'));
    const row = (v: string): Effect => ({
      guardKey: old.guard('t', 'r'),
      guardField: '-',
      writeGuard: true,
      ops: [{ op: 'HSET', key: old.session('s1'), a: 'a', b: v }],
    });
    try {
      expect(await applyEffect(redis, old, '1', row('before'))).toBe(true);
      expect(await dropGeneration(redis, base, 'g1')).toBe(2);
      // The late batch of a projector that has not followed the switch yet.
      await expect(applyEffect(redis, old, '2', row('late'))).rejects.toThrow(/retired by a rebuild/);
      expect(await redis.keys(`${base}:g1:*`)).toEqual([]);
      expect(await redis.ttl(old.retired)).toBeGreaterThan(86_400);
    } finally {
      await redis.del([old.retired, `${base}:current`]);
    }
  });
});
