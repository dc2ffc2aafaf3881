// Redis from the Debian package, run as our own process: flags only, data in .services/redis/data.
import path from 'node:path';
import { $ } from 'zx';
import { ensureDir, requireCommand, serviceDir, type Service } from './lib.ts';
import { HOST, PORTS } from '../../src/config/local-services.ts';

const FIX = 'run `make setup` (apt-get install -y redis-server)';

export const redis: Service = {
  name: 'redis',
  port: PORTS.redis,
  // In both the original argv ("--port 16379") and the title redis-server rewrites it to ("127.0.0.1:16379").
  cmdlineMarker: String(PORTS.redis),
  startTimeoutMs: 20_000,

  async checkPrerequisites() {
    requireCommand('redis-server', FIX);
    requireCommand('redis-cli', FIX);
  },

  async prepare() {
    const data = await ensureDir(path.join(serviceDir('redis'), 'data'));
    return {
      cmd: 'redis-server',
      args: [
        '--bind',
        HOST,
        '--port',
        String(PORTS.redis),
        '--dir',
        data,
        '--daemonize',
        'no', // we detach it ourselves and keep the real pid
        '--logfile',
        '', // stdout, which startDetached sends to the service log
        '--appendonly',
        'no', // RDB snapshots (default schedule) are plenty for local dev data
        '--protected-mode',
        'yes',
      ],
    };
  },

  async probe() {
    const out = await $({ nothrow: true, quiet: true, timeout: '5s' })`redis-cli -h ${HOST} -p ${PORTS.redis} PING`;
    const reply = out.stdout.trim();
    if (reply !== 'PONG') throw new Error(`PING answered ${JSON.stringify(reply || out.stderr.trim())}`);
    const info = await $({
      nothrow: true,
      quiet: true,
      timeout: '5s',
    })`redis-cli -h ${HOST} -p ${PORTS.redis} INFO server`;
    const version = /redis_version:(\S+)/.exec(info.stdout)?.[1];
    return `PONG, redis ${version ?? '?'}`;
  },
};
