import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from '../../src/clients/redis.ts';
import { readSideConfig } from '../../src/config/read-side.ts';
import { redisClient } from '../../src/clients/redis.ts';
import { redisOf, testReadSide } from '../support/readside.ts';

// The chart hands the Redis password over in AGENTSTORE_REDIS_PASSWORD (from the Redis Secret), not in
// the URL. A throw-away ACL user on the shared local Redis proves the password is what authenticates.
const user = `auth_test_${randomBytes(3).toString('hex')}`;
const password = randomBytes(12).toString('hex');
let admin: Redis;

beforeAll(async () => {
  admin = await redisOf(testReadSide('auth'));
  await admin.sendCommand(['ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '+ping']);
});
afterAll(async () => {
  await admin.sendCommand(['ACL', 'DELUSER', user]);
  await admin.quit();
});

describe('Redis password from AGENTSTORE_REDIS_PASSWORD', () => {
  const url = `redis://${user}@127.0.0.1:16379`;

  it('authenticates with the password from its own variable', async () => {
    const r = redisClient(readSideConfig({ AGENTSTORE_REDIS: url, AGENTSTORE_REDIS_PASSWORD: password }));
    await r.connect();
    try {
      expect(await r.ping()).toBe('PONG');
    } finally {
      await r.quit();
    }
  });

  it('a wrong password is refused by Redis, and the password is not in the error', async () => {
    const r = redisClient(readSideConfig({ AGENTSTORE_REDIS: url, AGENTSTORE_REDIS_PASSWORD: 'not-the-password' }));
    // A refused password ends the first connection at once (retrying the same password cannot help).
    const err = await r.connect().then(
      () => new Error('connected with a wrong password'),
      (e: Error & { originalError?: Error }) => e.originalError ?? e,
    );
    expect(r.isOpen).toBe(false);
    expect(err.message).toMatch(/WRONGPASS/);
    expect(err.message).not.toContain('not-the-password');
  });
});
