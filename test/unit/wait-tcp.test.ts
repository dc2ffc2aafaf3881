import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/settings.ts';
import { parseAddress } from '../../src/cli/commands/wait.ts';
import { waitForTcp } from '../../src/util/wait-tcp.ts';
import { fakeClock } from '../support/connect-stub.ts';

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A port that refuses connections: bound, then closed. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('agentstore wait tcp', () => {
  it('parses host:port and [v6]:port, and names a bad address', () => {
    expect(parseAddress('rel-agentstore-scylladb-client.ns.svc:9042')).toEqual({
      host: 'rel-agentstore-scylladb-client.ns.svc',
      port: 9042,
    });
    expect(parseAddress('[::1]:19042')).toEqual({ host: '::1', port: 19042 });
    expect(() => parseAddress('scylladb-client')).toThrow(UsageError);
    expect(() => parseAddress('host:99999')).toThrow(/port of host:99999 must be a whole number from 1 to 65535/);
  });

  it('returns once the port accepts, reporting each refused try', async () => {
    const port = await closedPort();
    const tries: string[] = [];
    const clock = fakeClock(Date.now());
    const waiting = waitForTcp('127.0.0.1', port, {
      deadline: clock.now() + 60_000,
      intervalMs: 1000,
      clock: {
        now: clock.now,
        // Start listening after the second refused try.
        sleep: async (ms) => {
          await clock.sleep(ms);
          if (clock.sleeps.length === 2)
            await new Promise<void>((r) => servers.push(net.createServer().listen(port, '127.0.0.1', r)));
        },
      },
      onWait: (address, error, attempt) => tries.push(`${address} ${error} ${attempt}`),
    });
    expect(await waiting).toBe(3);
    expect(tries).toEqual([`127.0.0.1:${port} ECONNREFUSED 1`, `127.0.0.1:${port} ECONNREFUSED 2`]);
  });

  it('gives up at the deadline with the last cause', async () => {
    const port = await closedPort();
    const clock = fakeClock(Date.now());
    await expect(
      waitForTcp('127.0.0.1', port, { deadline: clock.now() + 5000, intervalMs: 1000, clock }),
    ).rejects.toThrow(`127.0.0.1:${port} did not accept a connection by the deadline (last: ECONNREFUSED)`);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5000);
  });
});
