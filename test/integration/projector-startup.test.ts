// The projector started before its Redis (a rollout restarting both, a node drain): it waits, serving
// /healthz (alive) and not /readyz, and becomes ready once Redis answers, instead of exiting into
// CrashLoopBackOff. With a short AGENTSTORE_STARTUP_TIMEOUT_S it gives up with the one-line error.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../src/util/repo.ts';
import { runCli } from '../support/cli.ts';
import { cleanupReadSide, envOf, redisOf, testReadSide } from '../support/readside.ts';
import { freePort } from '../../src/util/free-port.ts';

const children: ChildProcess[] = [];
const rs = testReadSide('startup');

const status = (port: number, path: string): Promise<number> =>
  fetch(`http://127.0.0.1:${port}${path}`).then(
    (r) => r.status,
    () => 0,
  );

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const redis = await redisOf(rs);
  await cleanupReadSide(rs, redis);
  await redis.quit();
});

describe('projector start-up', () => {
  it('waits for a Redis that is not there yet, alive but not ready, and is ready once it answers', async () => {
    const redisPort = await freePort();
    const projector = spawn(process.execPath, [repoPath('bin/agentstore.js'), 'project'], {
      env: {
        ...process.env,
        ...envOf(rs),
        AGENTSTORE_REDIS: `redis://127.0.0.1:${redisPort}`,
        AGENTSTORE_STARTUP_TIMEOUT_S: '120',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(projector);
    let log = '';
    projector.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    projector.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const lines = () =>
      log
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);

    await until('the metrics port is logged', async () => lines().some((l) => l['msg'] === 'serving metrics'), 30_000);
    const port = Number(lines().find((l) => l['msg'] === 'serving metrics')!['port']);
    await until(
      'a first failed attempt',
      async () => lines().some((l) => l['msg'] === 'waiting for Kafka and Redis'),
      60_000,
    );
    expect(await status(port, '/healthz')).toBe(200);
    expect(await status(port, '/readyz')).toBe(503);
    expect(projector.exitCode).toBeNull();

    const redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    children.push(redis);
    await until('/readyz once Redis answers', async () => (await status(port, '/readyz')) === 200, 90_000);
    projector.kill('SIGTERM');
    const code = await new Promise<number | null>((r) =>
      projector.exitCode !== null ? r(projector.exitCode) : projector.on('exit', r),
    );
    expect(code).toBe(0);
    redis.kill();
  }, 180_000);

  it('gives up after AGENTSTORE_STARTUP_TIMEOUT_S with the one-line error', async () => {
    const r = await runCli(['project'], {
      ...envOf(rs),
      AGENTSTORE_REDIS: 'redis://127.0.0.1:1',
      AGENTSTORE_STARTUP_TIMEOUT_S: '1',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*; fix: /m);
  }, 60_000);
});
