/**
 * The connector supervisor against the Connect stand-in: restarts with backoff, metrics, readiness.
 * The same against a real worker and a really failing task: test/integration/connect-worker.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectClient } from '../../src/connect/rest.ts';
import { ConnectorSupervisor } from '../../src/connect/supervise.ts';
import { serveProbes } from '../../src/util/probe-server.ts';
import { ConnectStub, fakeClock } from '../support/connect-stub.ts';

let stub: ConnectStub;
beforeEach(async () => {
  stub = await new ConnectStub().start();
});
afterEach(() => stub.stop());

const metric = async (s: ConnectorSupervisor, line: string): Promise<number | undefined> => {
  const text = await s.metrics.registry.metrics();
  const m = new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

function supervisor(clock = fakeClock()) {
  return new ConnectorSupervisor(new ConnectClient(stub.url), {
    name: 'cdc',
    intervalMs: 10_000,
    backoff: { initialMs: 10_000, maxMs: 40_000, factor: 2 },
    clock,
    log: () => {},
  });
}

describe('connector supervise', () => {
  it('restarts a failed task, spacing restarts by the backoff while it keeps failing, and counts them', async () => {
    stub.afterStart = () => 'FAILED';
    stub.connectors.set('cdc', { config: {}, state: 'RUNNING', tasks: ['FAILED'], starts: 1 });
    const clock = fakeClock();
    const s = supervisor(clock);
    const restartsAt: number[] = [];
    for (let i = 0; i < 12; i++) {
      const before = stub.calls('POST', '/restart');
      await s.check();
      if (stub.calls('POST', '/restart') > before) restartsAt.push(i * 10);
      await clock.sleep(10_000);
    }
    // Backoff 10 s, 20 s, 40 s, 40 s ... measured in checks every 10 s.
    expect(restartsAt).toEqual([0, 10, 30, 70, 110]);
    expect(await metric(s, 'agentstore_connector_restarts_total{connector="cdc"}')).toBe(5);
    expect(await metric(s, 'agentstore_connector_up{connector="cdc"}')).toBe(0);
    expect(await metric(s, 'agentstore_connector_tasks{connector="cdc",state="FAILED"}')).toBe(1);
  });

  it('a restart that fixes it: up = 1, state RUNNING, and the backoff starts over on the next failure', async () => {
    stub.connectors.set('cdc', { config: {}, state: 'RUNNING', tasks: ['FAILED'], starts: 1 });
    const clock = fakeClock();
    const s = supervisor(clock);
    await s.check(); // restart 1, which fixes it
    expect(stub.calls('POST', '/restart?includeTasks=true&onlyFailed=true')).toBe(1);
    await clock.sleep(10_000);
    expect((await s.check()).up).toBe(true);
    expect(await metric(s, 'agentstore_connector_up{connector="cdc"}')).toBe(1);
    expect(await metric(s, 'agentstore_connector_state{connector="cdc",state="RUNNING"}')).toBe(1);
    expect(await metric(s, 'agentstore_connector_state{connector="cdc",state="FAILED"}')).toBe(0);
    stub.connectors.get('cdc')!.tasks = ['FAILED'];
    await clock.sleep(10_000);
    await s.check();
    expect(stub.calls('POST', '/restart')).toBe(2);
  });

  it('reports a missing connector and an unreachable worker as states, never up', async () => {
    const s = supervisor();
    expect((await s.check()).state).toBe('MISSING');
    expect(await metric(s, 'agentstore_connector_state{connector="cdc",state="MISSING"}')).toBe(1);
    await stub.stop();
    const h = await s.check();
    expect(h.state).toBe('UNREACHABLE');
    expect(h.summary).toMatch(/ECONNREFUSED/);
    expect(await metric(s, 'agentstore_connector_up{connector="cdc"}')).toBe(0);
  });

  it('/readyz follows the connector (503 until RUNNING), /healthz the loop', async () => {
    stub.connectors.set('cdc', { config: {}, state: 'RUNNING', tasks: ['FAILED'], starts: 1 });
    stub.afterStart = () => 'FAILED';
    const clock = fakeClock();
    const s = supervisor(clock);
    const { server, port } = await serveProbes(0, {
      registry: s.metrics.registry,
      healthz: () => ({ ok: s.alive(clock.now(), 1000), text: 'x' }),
      readyz: () => ({ ok: s.last.up, text: s.last.summary }),
    });
    try {
      const get = (p: string) => fetch(`http://127.0.0.1:${port}${p}`).then(async (r) => [r.status, await r.text()]);
      await s.check();
      expect(await get('/readyz')).toEqual([503, 'connector RUNNING, tasks 0=FAILED\n']);
      stub.connectors.get('cdc')!.tasks = ['RUNNING'];
      await s.check();
      expect((await get('/readyz'))[0]).toBe(200);
      expect((await get('/healthz'))[0]).toBe(200);
      await clock.sleep(60_000); // no check for 6 intervals: the loop is stuck
      expect((await get('/healthz'))[0]).toBe(503);
      expect(await get('/metrics')).toEqual([
        200,
        expect.stringMatching(/agentstore_connector_up\{connector="cdc"\} 1/),
      ]);
    } finally {
      server.close();
    }
  });
});
