import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL } from '../../src/config/local-services.ts';
import { applyEffect, loadScript } from '../../src/readmodels/apply.ts';
import type { Redis } from '../../src/clients/redis.ts';
import type { Effect } from '../../src/readmodels/effects.ts';

// The Lua guard on a real Redis: newer applies, equal or older is refused, deletes fence older writes.
const p = `t_guard_${randomBytes(3).toString('hex')}`;
let redis: Redis;
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
  await redis.del([`${p}:g`, `${p}:h`, `${p}:m`]);
  await redis.quit();
});

describe('apply script', () => {
  it('applies newer versions only, atomically with the guard', async () => {
    expect(await applyEffect(redis, '2000', set('v2'))).toBe(true);
    expect(await applyEffect(redis, '2000', set('v2-dup'))).toBe(false);
    expect(await applyEffect(redis, '1000', set('v1'))).toBe(false);
    expect(await redis.hGet(`${p}:h`, 'f')).toBe('v2');
    expect(await redis.hGet(`${p}:g`, 'row')).toBe('2000');
    expect(await applyEffect(redis, '3000', effect([{ op: 'HDEL', key: `${p}:h`, a: 'f' }]))).toBe(true);
    expect(await applyEffect(redis, '2500', set('late insert'))).toBe(false);
    expect(await redis.hGet(`${p}:h`, 'f')).toBeNull();
  });

  it('HMAX is a max-register and guard-free effects still respect a delete fence', async () => {
    const max = (v: string) => effect([{ op: 'HMAX', key: `${p}:m`, a: 'la', b: v }], false);
    expect(await applyEffect(redis, '100', max('50'))).toBe(false); // fenced by the delete at 3000 above
    await redis.del(`${p}:g`);
    await applyEffect(redis, '100', max('50'));
    await applyEffect(redis, '90', max('40'));
    await applyEffect(redis, '90', max('40'));
    expect(await redis.hGet(`${p}:m`, 'la')).toBe('50');
    expect(await redis.exists(`${p}:g`)).toBe(0);
  });

  it('recovers when Redis lost the cached script (NOSCRIPT)', async () => {
    await redis.scriptFlush();
    expect(await applyEffect(redis, '5000', set('after flush'))).toBe(true);
  });
});
