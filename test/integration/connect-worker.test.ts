/**
 * src/connect against a real Kafka Connect worker (our Kafka jar set, the local Kafka), with the
 * FileStream connectors that ship with Kafka in place of the ScyllaDB connector (no ScyllaDB here;
 * its transient 400 is covered against the stand-in, test/unit/connect-register.test.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, registerConnector } from '../../src/connect/register.ts';
import { ConnectClient } from '../../src/connect/rest.ts';
import { ConnectorSupervisor } from '../../src/connect/supervise.ts';
import { runCli } from '../support/cli.ts';
import { startConnectWorker, type ConnectWorker } from '../support/connect.ts';

let worker: ConnectWorker;
let client: ConnectClient;
beforeAll(async () => {
  worker = await startConnectWorker();
  client = new ConnectClient(worker.url);
});
afterAll(async () => {
  await worker?.stop();
});

const sinkConfig = (file: string) => ({
  'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
  'tasks.max': '1',
  topics: `t_connect_sink_${randomBytes(3).toString('hex')}`,
  file,
});

const register = (name: string, config: Record<string, string>, timeoutMs = 90_000) =>
  registerConnector(client, {
    name,
    config,
    deadline: Date.now() + timeoutMs,
    log: () => {},
    pollMs: 500,
    backoff: { initialMs: 500, maxMs: 2000, factor: 2 },
  });

describe('connector registration on a real Connect worker', () => {
  it('creates, then leaves an unchanged config alone (nothing written to the config topic), then updates', async () => {
    const config = sinkConfig(join(worker.dir, 'out-a.txt'));
    const created = await register('sink-a', config);
    expect(created.outcome).toBe('created');
    expect(created.health.summary).toBe('connector RUNNING, tasks 0=RUNNING');

    // The worker logs "Creating connector <name>" each time it (re)starts the connector.
    const starts = async () => (await worker.log()).match(/Creating connector sink-a of type/g)?.length ?? 0;
    const records = await worker.configRecords();
    const started = await starts();
    expect(started).toBeGreaterThanOrEqual(1);
    const again = await register('sink-a', config);
    expect(again.outcome).toBe('unchanged');
    expect(await worker.configRecords()).toBe(records);
    expect(await starts()).toBe(started);

    // What the GET-compare saves: a PUT of the very same config is written and restarts the connector.
    await client.putConfig('sink-a', config);
    expect(await worker.configRecords()).toBeGreaterThan(records);
    await expect.poll(starts, { timeout: 20_000 }).toBeGreaterThan(started);

    const updated = await register('sink-a', { ...config, 'tasks.max': '2' });
    expect(updated.outcome).toBe('updated');
    expect((await client.config('sink-a'))?.['tasks.max']).toBe('2');
  });

  it('refuses a config the plugin rejects, naming the field, before anything is stored', async () => {
    const { topics: _, ...noTopics } = sinkConfig(join(worker.dir, 'out-b.txt'));
    const err = (await register('sink-b', noTopics).catch((e: unknown) => e)) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toMatch(/the plugin refused the config/);
    expect(err.details.join('\n')).toMatch(/topics/);
    expect(await client.config('sink-b')).toBeUndefined();
  });

  it('a connector class the worker does not have fails at once, saying the plugin is missing', async () => {
    const started = Date.now();
    const err = (await register('sink-c', { ...sinkConfig('/dev/null'), 'connector.class': 'com.example.Nope' }).catch(
      (e: unknown) => e,
    )) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.fix).toMatch(/plugin is not installed/);
    expect(Date.now() - started).toBeLessThan(30_000); // not retried until the 90 s deadline
  });
});

describe('connector supervision on a real Connect worker', () => {
  it('restarts a really failed task once its cause is gone; readiness and metrics follow', async () => {
    // FileStreamSinkTask fails at start when the file's directory does not exist.
    const missingDir = join(worker.dir, `later-${randomBytes(3).toString('hex')}`);
    await client.putConfig('sink-fail', sinkConfig(join(missingDir, 'out.txt')));
    const s = new ConnectorSupervisor(client, {
      name: 'sink-fail',
      intervalMs: 500,
      backoff: { initialMs: 500, maxMs: 1000, factor: 2 },
      log: () => {},
    });
    const deadline = Date.now() + 60_000;
    let h = await s.check();
    while (!h.failed.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      h = await s.check();
    }
    expect(h.summary).toMatch(/tasks 0=FAILED/);
    expect(h.failed[0]?.trace).toMatch(/Couldn't find or create file/);
    expect(s.restarts).toBeGreaterThanOrEqual(1);

    await mkdir(missingDir);
    while (!h.up && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      h = await s.check();
    }
    expect(h.up).toBe(true);
    expect(existsSync(join(missingDir, 'out.txt'))).toBe(true);
    const text = await s.metrics.registry.metrics();
    expect(text).toMatch(/^agentstore_connector_up\{connector="sink-fail"\} 1$/m);
    expect(text).toMatch(/^agentstore_connector_restarts_total\{connector="sink-fail"\} [1-9]/m);
  });
});

describe('agentstore connector (the CLI) on a real Connect worker', () => {
  it('register from AGENTSTORE_CONNECTOR_CONFIG, status exit 0 when RUNNING and 1 with the trace when not', async () => {
    const env = { AGENTSTORE_CONNECT_URL: worker.url };
    const reg = await runCli(['connector', 'register', '--name', 'sink-cli', '--timeout', '90'], {
      ...env,
      AGENTSTORE_CONNECTOR_CONFIG: JSON.stringify(sinkConfig(join(worker.dir, 'out-cli.txt'))),
    });
    expect(reg.code, reg.stdout + reg.stderr).toBe(0);
    expect(reg.stdout).toMatch(/connector sink-cli: created, connector RUNNING, tasks 0=RUNNING/);

    const ok = await runCli(['connector', 'status', '--name', 'sink-cli'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/connector sink-cli: connector RUNNING/);

    const missing = await runCli(['connector', 'status', '--name', 'sink-nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/connector sink-nope: connector not registered\nfix: register it/);
  });

  it('supervise serves /readyz and agentstore_connector_up for a running connector and exits on SIGTERM', async () => {
    await client.putConfig('sink-sup', sinkConfig(join(worker.dir, 'out-sup.txt')));
    const child = spawn(
      'node',
      ['bin/agentstore.js', 'connector', 'supervise', '--name', 'sink-sup', '--interval', '1', '--metrics-port', '0'],
      { env: { ...process.env, AGENTSTORE_CONNECT_URL: worker.url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => /"metricsPort":(\d+)/.exec(out)?.[1], { timeout: 30_000 }).toBeDefined();
      const base = `http://127.0.0.1:${/"metricsPort":(\d+)/.exec(out)![1]}`;
      await expect
        .poll(() => fetch(`${base}/readyz`).then((r) => r.status), { timeout: 60_000, interval: 500 })
        .toBe(200);
      expect(await fetch(`${base}/metrics`).then((r) => r.text())).toMatch(
        /^agentstore_connector_up\{connector="sink-sup"\} 1$/m,
      );
      expect(out).toMatch(/"msg":"connector sink-sup: connector RUNNING, tasks 0=RUNNING"/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
