import { createClient, type RedisClientType } from '@redis/client';
import type { ReadSideConfig } from '../config/read-side.ts';

/** A node-redis client with the default modules (RESP2). */
export type Redis = RedisClientType;

export interface SocketTuning {
  /**
   * The socket's write buffer limit (Node's default is 16 KiB). node-redis stops writing queued
   * commands once the buffer is over it and resumes one event-loop turn later, so a client issuing
   * many large commands (the projector's script calls, ~30 KiB each) gets about one written per turn.
   */
  writeBufferBytes?: number;
}

/** How long a client waits for its first connection before the command gives up (a wrong URL, Redis down). */
const FIRST_CONNECT_ATTEMPTS = 20;
const FIRST_CONNECT_DELAY_MS = 500;
/** Redis refusing the credentials: retrying with the same ones cannot help. */
const AUTH_REFUSED = /WRONGPASS|NOAUTH|invalid password|invalid username/i;

/**
 * node-redis reconnects forever by default, so `connect()` to a wrong address or with a wrong password
 * never returns. Before the first connection: up to FIRST_CONNECT_ATTEMPTS tries, none after a refused
 * password, then `connect()` rejects with the cause. After it: reconnect for as long as it takes (Redis
 * restarts; the projector's readiness reports it meanwhile), backing off to 2 s.
 */
function reconnectStrategy(): { strategy: (retries: number, cause: Error) => number | Error; connected: () => void } {
  let everConnected = false;
  return {
    connected: () => {
      everConnected = true;
    },
    strategy: (retries, cause) => {
      if (AUTH_REFUSED.test(cause.message)) return cause;
      if (!everConnected) return retries >= FIRST_CONNECT_ATTEMPTS ? cause : FIRST_CONNECT_DELAY_MS;
      return Math.min(100 * 2 ** Math.min(retries, 5), 2000);
    },
  };
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
  const reconnect = reconnectStrategy();
  const socket = {
    socket: {
      reconnectStrategy: reconnect.strategy,
      ...(tuning.writeBufferBytes ? { writableHighWaterMark: tuning.writeBufferBytes } : {}),
    } as object,
  };
  let client: Redis;
  if (config.redisPassword === undefined) {
    client = createClient({ url: config.redisUrl, ...socket }) as Redis;
  } else {
    const url = new URL(config.redisUrl);
    const user = decodeURIComponent(url.username);
    url.username = '';
    url.password = '';
    client = createClient({
      url: url.href,
      password: config.redisPassword,
      ...(user ? { username: user } : {}),
      ...socket,
    }) as Redis;
  }
  client.on('ready', reconnect.connected);
  // Without an 'error' listener node-redis throws connection errors from an event; callers that want
  // to log them add their own, and connect() or the command in flight still rejects with the cause.
  client.on('error', () => {});
  return client;
}
