/**
 * Commands the chart runs inside its containers, taken from the rendered manifests and run here on
 * real processes: the Kafka and Connect exec probes (against the local broker and a Kafka Connect
 * worker started from the same jar set), and Redis' start command and probe (on a redis-server of our
 * own, with a password that needs quoting). Only ports and the data directory are substituted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { java17 } from '../../scripts/services/jvm.ts';
import { jars, kafkaTool } from '../../scripts/services/kafka.ts';
import { LOCAL, PORTS } from '../../src/config/local-services.ts';
import { containersOf, podTemplates } from '../chart/support/pods.ts';
import { render, type K8sObject } from '../chart/support/render.ts';
import { missingTools } from '../chart/support/tools.ts';
import { freePort } from '../../src/util/free-port.ts';

const why = missingTools();

/** Runs a command; resolves with its exit code (never rejects), killed after 30 s. */
const exitCode = (cmd: string[], env: Record<string, string> = {}): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 30_000 });
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(127));
  });

/** Polls until check() is true, at most `seconds`; returns whether it became true. */
async function until(seconds: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

type Probe = { exec: { command: string[] } };
type ProbedContainer = {
  name: string;
  args?: string[];
  startupProbe: Probe;
  readinessProbe: Probe;
  livenessProbe: Probe;
};
const container = (objects: K8sObject[], owner: RegExp, name: string): ProbedContainer => {
  const pod = podTemplates(objects).find((p) => owner.test(p.owner));
  const c = containersOf(pod?.spec ?? {}).find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name} in ${owner}`);
  return c as unknown as ProbedContainer;
};
const probes = (c: ProbedContainer): string[][] =>
  [c.startupProbe, c.readinessProbe, c.livenessProbe].map((p) => p.exec.command);

/** Stops a process this test started, and waits for it. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

describe.skipIf(why !== null)(`the chart's commands on real processes${why ? ` (skipped: ${why})` : ''}`, () => {
  let objects: K8sObject[] = [];
  beforeAll(async () => {
    ({ objects } = await render('helm4', { chart: 'charts/agentstore', release: 'rel', namespace: 'ns' }));
  });

  it('Kafka: each exec probe passes on a listening broker and fails on a closed port', async () => {
    const kafka = container(objects, /^StatefulSet\/.*-kafka$/, 'kafka');
    const closed = await freePort();
    for (const cmd of probes(kafka)) {
      expect(cmd.join(' ')).toContain('/dev/tcp/127.0.0.1/9092');
      const at = (port: number): string[] => cmd.map((a) => a.replace('/9092', `/${port}`));
      expect(await exitCode(at(PORTS.kafka)), `${cmd.join(' ')} on the local broker`).toBe(0);
      expect(await exitCode(at(closed)), `${cmd.join(' ')} on a closed port`).not.toBe(0);
    }
  });

  describe('Connect: http-ok.sh against a real worker', () => {
    let dir = '';
    let worker: ChildProcess | undefined;
    let port = 0;
    let script = '';
    const id = `t_probe_${randomBytes(3).toString('hex')}`;
    const ok = (path: string): Promise<number> => exitCode(['bash', script, path]);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'chart-connect-'));
      port = await freePort();
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.source?.endsWith('connect/templates/configmap.yaml'));
      const text = (cm?.['data'] as Record<string, string>)['http-ok.sh']!;
      expect(text).toContain('/dev/tcp/127.0.0.1/8083');
      script = join(dir, 'http-ok.sh');
      await writeFile(script, text.replace('/8083', `/${port}`));
      const props = join(dir, 'worker.properties');
      await writeFile(
        props,
        [
          `bootstrap.servers=${LOCAL.kafka}`,
          `group.id=${id}`,
          ...['config', 'offset', 'status'].flatMap((t) => [
            `${t}.storage.topic=${id}-${t}`,
            `${t}.storage.replication.factor=1`,
          ]),
          'key.converter=org.apache.kafka.connect.json.JsonConverter',
          'value.converter=org.apache.kafka.connect.json.JsonConverter',
          `listeners=http://127.0.0.1:${port}`,
          `plugin.path=${dir}`,
          '',
        ].join('\n'),
      );
      const lib = await jars();
      worker = spawn(
        await java17(),
        [
          '-Xmx384m',
          '-XX:TieredStopAtLevel=1',
          '-cp',
          `${lib}/*`,
          'org.apache.kafka.connect.cli.ConnectDistributed',
          props,
        ],
        { stdio: 'ignore' },
      );
    }, 120_000);
    afterAll(async () => {
      await stop(worker);
      await kafkaTool('org.apache.kafka.tools.TopicCommand', [
        '--bootstrap-server',
        LOCAL.kafka,
        '--delete',
        '--if-exists',
        '--topic',
        `${id}-.*`,
      ]);
      await rm(dir, { recursive: true, force: true });
    }, 120_000);

    it('passes for / and /connectors once the worker serves them, fails for a 404 and once it is gone', async () => {
      expect(await until(180, async () => (await ok('/connectors')) === 0), 'worker ready within 180 s').toBe(true);
      expect(await ok('/')).toBe(0);
      expect(await ok('/no-such-path')).not.toBe(0);
      const connect = container(objects, /^Deployment\/.*-connect$/, 'connect');
      expect(probes(connect)).toEqual([
        ['bash', '/etc/connect/http-ok.sh', '/'],
        ['bash', '/etc/connect/http-ok.sh', '/connectors'],
        ['bash', '/etc/connect/http-ok.sh', '/'],
      ]);
      await stop(worker);
      expect(await ok('/')).not.toBe(0);
    }, 240_000);
  });

  describe('Redis: the start command and the probe', () => {
    let dir = '';
    let server: ChildProcess | undefined;
    let port = 0;
    const password = `p w"\\'\n${randomBytes(4).toString('hex')}`;
    afterAll(async () => {
      await stop(server);
      await rm(dir, { recursive: true, force: true });
    });

    it('hands the password to redis-server off its command line, and the probe logs in with it', async () => {
      dir = await mkdtemp(join(tmpdir(), 'chart-redis-'));
      port = await freePort();
      const redis = container(objects, /^StatefulSet\/.*-redis$/, 'redis');
      const [shell, flag, script] = redis.args!;
      expect([shell, flag]).toEqual(['bash', '-c']);
      expect(script).not.toContain('--requirepass');
      const local = script!.replace('--dir /data', `--dir ${dir} --port ${port} --bind 127.0.0.1`);
      server = spawn('bash', ['-c', local], { env: { ...process.env, REDIS_PASSWORD: password }, stdio: 'ignore' });
      const probe = probes(redis)[0]!.map((a) => a.replace('-h 127.0.0.1', `-h 127.0.0.1 -p ${port}`));
      expect(await until(30, async () => (await exitCode(probe, { REDISCLI_AUTH: password })) === 0)).toBe(true);
      // exec: the shell became redis-server, whose command line holds no password.
      const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('redis-server');
      expect(cmdline).not.toContain(password);
      expect(await exitCode(probe, { REDISCLI_AUTH: 'not-the-password' })).not.toBe(0);
      expect(await exitCode(probe, {})).not.toBe(0);
      expect(probes(redis).every((p) => p.join(' ') === probes(redis)[0]!.join(' '))).toBe(true);
    });
  });
});
