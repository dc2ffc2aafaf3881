import net from 'node:net';
import { realClock, type Clock } from './clock.ts';

export interface WaitTcpOptions {
  deadline: number;
  intervalMs?: number;
  connectTimeoutMs?: number;
  clock?: Clock;
  /** After each refused try: what went wrong, and how many tries so far. */
  onWait?: (address: string, error: string, attempt: number) => void;
}

/** One TCP connect: resolves when the port accepts, rejects with the cause (ECONNREFUSED, ENOTFOUND, timeout). */
function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no answer in ${timeoutMs} ms`)));
    socket.once('connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) => done(new Error(err.code ?? err.message)));
  });
}

/**
 * Waits until `host:port` accepts a TCP connection (a server that listens, not yet one that serves:
 * the caller's own retries cover the rest). Throws with the last cause at the deadline.
 */
export async function waitForTcp(host: string, port: number, o: WaitTcpOptions): Promise<number> {
  const clock = o.clock ?? realClock;
  for (let attempt = 1; ; attempt++) {
    try {
      await tcpConnect(host, port, o.connectTimeoutMs ?? 3_000);
      return attempt;
    } catch (err) {
      const cause = (err as Error).message;
      const left = o.deadline - clock.now();
      if (left <= 0) throw new Error(`${host}:${port} did not accept a connection by the deadline (last: ${cause})`);
      o.onWait?.(`${host}:${port}`, cause, attempt);
      await clock.sleep(Math.min(left, o.intervalMs ?? 2_000));
    }
  }
}
