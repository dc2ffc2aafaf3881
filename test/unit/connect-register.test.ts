/**
 * Connector registration against a Connect stand-in (test/support/connect-stub.ts) for what only the
 * ScyllaDB connector does: its transient 400 and failures. The same calls against a real Connect
 * worker: test/integration/connect-worker.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, registerConnector, sameConfig } from '../../src/connect/register.ts';
import { ConnectClient, ConnectHttpError } from '../../src/connect/rest.ts';
import { backoffMs, DEFAULT_BACKOFF, isTransient } from '../../src/connect/retry.ts';
import { ConnectStub, fakeClock, putRefusedTransiently, SCYLLA_UNREACHABLE } from '../support/connect-stub.ts';

const CONFIG = {
  'connector.class': 'com.scylladb.cdc.debezium.connector.ScyllaConnector',
  'scylla.cluster.ip.addresses': 'scylladb-client:9042',
  'scylla.table.names': 'agentstore.sessions',
  'topic.prefix': 'agentstore',
};

let stub: ConnectStub;
let lines: string[];
beforeEach(async () => {
  stub = await new ConnectStub().start();
  lines = [];
});
afterEach(() => stub.stop());

const register = (config = CONFIG, clock = fakeClock(), timeoutMs = 600_000) =>
  registerConnector(new ConnectClient(stub.url), {
    name: 'cdc',
    config,
    deadline: clock.now() + timeoutMs,
    log: (l) => lines.push(l),
    clock,
    pollMs: 1000,
  });

describe('retry policy', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(DEFAULT_BACKOFF, a))).toEqual([
      2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });

  it("retries no answer, 409, 5xx and the ScyllaDB connector's 'Unable to connect' 400; not other 4xx", () => {
    const e = (status: number, detail = 'x') => new ConnectHttpError('PUT', 'u', status, detail);
    expect(isTransient(e(0))).toBe(true);
    expect(isTransient(e(409))).toBe(true);
    expect(isTransient(e(503))).toBe(true);
    expect(isTransient(e(400, (putRefusedTransiently.body as { message: string }).message))).toBe(true);
    expect(isTransient(e(400, 'Connector configuration is invalid: Missing required configuration "topics"'))).toBe(
      false,
    );
    expect(isTransient(e(404))).toBe(false);
    expect(isTransient(e(500, 'BadRequestException: Failed to find any class that implements Connector'))).toBe(false);
  });
});

describe('connector register', () => {
  it('survives the transient 400 "Unable to connect to Scylla cluster": validation twice, then the PUT twice', async () => {
    let validations = 0;
    stub.validateFields = (): Record<string, string[]> =>
      ++validations <= 2 ? { 'scylla.cluster.ip.addresses': [SCYLLA_UNREACHABLE] } : {};
    stub.script('PUT /connectors/cdc/config', putRefusedTransiently, putRefusedTransiently);
    const clock = fakeClock();
    const r = await register(CONFIG, clock);
    expect(r.outcome).toBe('created');
    expect(r.health.up).toBe(true);
    expect(validations).toBe(3);
    expect(stub.calls('PUT', '/connectors/cdc/config')).toBe(3);
    // Two backoffs for the validation, two for the PUT: each sequence starts over at the first step.
    expect(clock.sleeps).toEqual([2000, 4000, 2000, 4000]);
    expect(lines.join('\n')).toMatch(/Unable to connect to Scylla cluster.*try 2 in 2 s/);
  });

  it('validates before it stores: a config the plugin refuses for good fails at once, naming the field', async () => {
    stub.validateFields = () => ({ 'scylla.table.names': ['table agentstore.nope does not exist or has no CDC'] });
    const clock = fakeClock();
    const err = await register(CONFIG, clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).details.join('\n')).toMatch(/scylla\.table\.names: table agentstore\.nope/);
    expect((err as ConnectorError).fix).toMatch(/connector\.extraConfig/);
    expect(stub.calls('PUT', '/connectors/cdc/config')).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });

  it('GET-compares: an unchanged config is not written again, so the connector is not restarted', async () => {
    expect((await register()).outcome).toBe('created');
    const startsAfterCreate = stub.connectors.get('cdc')!.starts;
    const again = await register();
    expect(again.outcome).toBe('unchanged');
    expect(stub.calls('PUT', '/connectors/cdc/config')).toBe(1);
    expect(stub.connectors.get('cdc')!.starts).toBe(startsAfterCreate);
    expect(lines.join('\n')).toMatch(/config unchanged, not rewritten/);
  });

  it('writes a changed config (updated)', async () => {
    await register();
    const changed = await register({ ...CONFIG, 'scylla.table.names': 'agentstore.sessions,agentstore.steps_by_turn' });
    expect(changed.outcome).toBe('updated');
    expect(stub.connectors.get('cdc')!.config['scylla.table.names']).toMatch(/steps_by_turn/);
  });

  it('restarts a failed task with backoff until it runs', async () => {
    let starts = 0;
    stub.afterStart = () => (++starts <= 2 ? 'FAILED' : 'RUNNING');
    const clock = fakeClock();
    const r = await register(CONFIG, clock);
    expect(r.restarts).toBe(2);
    expect(r.health.up).toBe(true);
    expect(stub.calls('POST', '/connectors/cdc/restart?includeTasks=true&onlyFailed=true')).toBe(2);
    expect(lines.join('\n')).toMatch(/task 0 trace:\n.*ConnectException: boom/);
  });

  it('a connector that keeps failing ends at the deadline with its trace and a fix', async () => {
    stub.afterStart = () => 'FAILED';
    const err = (await register(CONFIG, fakeClock(), 60_000).catch((e: unknown) => e)) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toMatch(/not RUNNING by the deadline \(connector RUNNING, tasks 0=FAILED, after \d+ restart/);
    expect(err.details.join('\n')).toMatch(/ConnectException: boom/);
    // Restarts are spaced by the backoff, not one per status poll.
    expect(stub.calls('POST', '/restart')).toBeLessThan(stub.calls('GET', '/status') / 2);
  });

  it('a worker that never answers ends at the deadline, saying so', async () => {
    await stub.stop();
    const err = (await register(CONFIG, fakeClock(), 20_000).catch((e: unknown) => e)) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toMatch(/did not answer by the deadline \(ECONNREFUSED\)/);
    expect(err.fix).toMatch(/Connect pod/);
  });

  it('compares configs as Connect stores them (with its name key)', () => {
    expect(sameConfig({ ...CONFIG, name: 'cdc' }, CONFIG, 'cdc')).toBe(true);
    expect(sameConfig({ ...CONFIG, name: 'cdc', 'tasks.max': '2' }, CONFIG, 'cdc')).toBe(false);
    expect(sameConfig({ ...CONFIG, name: 'cdc' }, { ...CONFIG, 'tasks.max': '1' }, 'cdc')).toBe(false);
  });
});
