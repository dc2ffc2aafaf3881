import { createClient } from '@redis/client';
import type { Redis } from '../readmodels/apply.ts';
import type { ReadSideConfig } from './config.ts';

export interface SocketTuning {
  /**
   * The socket's write buffer limit (Node's default is 16 KiB). node-redis stops writing queued
   * commands once the buffer is over it and resumes one event-loop turn later, so a client issuing
   * many large commands (the projector's script calls, ~30 KiB each) gets about one written per turn.
   */
  writeBufferBytes?: number;
}

/**
 * The one way the read side opens Redis: the URL plus the password from its own variable. With a
 * password, the URL's user is moved out of the URL into `username`: @redis/client 5 lets a URL with
 * a user but no password wipe the separate password (test/integration/redis-auth.test.ts).
 */
export function redisClient(
  config: Pick<ReadSideConfig, 'redisUrl' | 'redisPassword'>,
  tuning: SocketTuning = {},
): Redis {
  const socket = tuning.writeBufferBytes
    ? { socket: { writableHighWaterMark: tuning.writeBufferBytes } as object }
    : {};
  if (config.redisPassword === undefined) return createClient({ url: config.redisUrl, ...socket }) as Redis;
  const url = new URL(config.redisUrl);
  const user = decodeURIComponent(url.username);
  url.username = '';
  url.password = '';
  return createClient({
    url: url.href,
    password: config.redisPassword,
    ...(user ? { username: user } : {}),
    ...socket,
  }) as Redis;
}
