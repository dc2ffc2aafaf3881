import { createClient } from '@redis/client';
import type { Redis } from '../readmodels/apply.ts';
import type { ReadSideConfig } from './config.ts';

/**
 * The one way the read side opens Redis: the URL plus the password from its own variable. With a
 * password, the URL's user is moved out of the URL into `username`: @redis/client 5 lets a URL with
 * a user but no password wipe the separate password (test/integration/redis-auth.test.ts).
 */
export function redisClient(config: Pick<ReadSideConfig, 'redisUrl' | 'redisPassword'>): Redis {
  if (config.redisPassword === undefined) return createClient({ url: config.redisUrl }) as Redis;
  const url = new URL(config.redisUrl);
  const user = decodeURIComponent(url.username);
  url.username = '';
  url.password = '';
  return createClient({ url: url.href, password: config.redisPassword, ...(user ? { username: user } : {}) }) as Redis;
}
