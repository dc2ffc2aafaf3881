// PostgreSQL from the Debian package, run as our own postmaster with its cluster in .services/postgres/data.
// Auth is `trust` for TCP on 127.0.0.1 only (and the unix socket is off): fine for a local dev box, never for
// anything reachable from elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chown, rm } from 'node:fs/promises';
import path from 'node:path';
import { $, which } from 'zx';
import { PrerequisiteError, ensureDir, logFile, serviceDir, type Service } from './lib.ts';
import { HOST, PORTS, POSTGRES_DB, POSTGRES_USER } from '../../src/config/local-services.ts';

const FIX = 'run `make setup` (apt-get install -y postgresql)';
const dataDir = () => path.join(serviceDir('postgres'), 'data');

/** Newest /usr/lib/postgresql/<v>/bin (Debian), else the directory of `initdb` on PATH. */
function binDir(): string {
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => existsSync(path.join(debian, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(debian, versions[0], 'bin');
  const initdb = which.sync('initdb', { nothrow: true });
  if (initdb && existsSync(path.join(path.dirname(initdb), 'postgres'))) return path.dirname(initdb);
  throw new PrerequisiteError(`postgres/initdb not found (looked in ${debian}/<v>/bin and PATH): ${FIX}`);
}

/** postgres refuses to run as root: as root we use the `postgres` account the Debian package creates. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const entry = passwd
    .split('\n')
    .find((line) => line.startsWith('postgres:'))
    ?.split(':');
  if (!entry?.[2] || !entry[3]) {
    throw new PrerequisiteError(`we run as root and PostgreSQL must not; no 'postgres' user exists: ${FIX}`);
  }
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

const psql = (user: string, db: string, sql: string) =>
  $({
    nothrow: true,
    quiet: true,
    timeout: '10s',
  })`psql -h ${HOST} -p ${PORTS.postgres} -U ${user} -d ${db} -XtAqc ${sql}`;

async function initCluster(bin: string, user: { uid: number; gid: number } | undefined): Promise<void> {
  const data = dataDir();
  if (existsSync(path.join(data, 'PG_VERSION'))) return;
  await rm(data, { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
  await ensureDir(data);
  if (user) await chown(data, user.uid, user.gid);
  const res = spawnSync(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'],
    { encoding: 'utf8', ...user },
  );
  if (res.status !== 0) {
    const hint = user ? ` (the 'postgres' user must be able to reach ${data}: every parent dir needs o+x)` : '';
    throw new Error(`initdb failed${hint}:\n${res.stdout}${res.stderr}${res.error?.message ?? ''}`);
  }
}

export const postgres: Service = {
  name: 'postgres',
  port: PORTS.postgres,
  cmdlineMarker: dataDir(),
  startTimeoutMs: 60_000,
  stopSignal: 'SIGINT', // "fast" shutdown: clean, but does not wait for clients to disconnect like SIGTERM does

  async checkPrerequisites() {
    binDir();
    runAs();
    if (!which.sync('psql', { nothrow: true })) throw new PrerequisiteError(`psql not found: ${FIX}`);
  },

  async prepare() {
    const bin = binDir();
    const user = runAs();
    await initCluster(bin, user);
    return {
      cmd: path.join(bin, 'postgres'),
      args: [
        '-D',
        dataDir(),
        '-p',
        String(PORTS.postgres),
        '-c',
        `listen_addresses=${HOST}`,
        '-c',
        'unix_socket_directories=', // TCP only: no clash with a system server's socket/lock in /var/run
        '-c',
        'shared_buffers=64MB',
      ],
      ...user,
    };
  },

  async probe() {
    const out = await psql('postgres', 'postgres', 'SELECT 1');
    if (out.stdout.trim() !== '1') throw new Error(`SELECT 1 failed: ${out.stderr.trim()}`);
    const version = await psql('postgres', 'postgres', 'SHOW server_version');
    return `SELECT 1 ok, PostgreSQL ${version.stdout.trim()}`;
  },

  /** Role and database the app uses; created on first start, checked on each start. */
  async afterReady() {
    const ok = async (r: ReturnType<typeof psql>) => {
      const out = await r;
      if (out.exitCode !== 0) throw new Error(`psql: ${out.stderr.trim()} (see ${logFile('postgres')})`);
      return out.stdout.trim();
    };
    if ((await ok(psql('postgres', 'postgres', `SELECT 1 FROM pg_roles WHERE rolname = '${POSTGRES_USER}'`))) !== '1') {
      await ok(psql('postgres', 'postgres', `CREATE ROLE ${POSTGRES_USER} LOGIN CREATEDB`));
    }
    if (
      (await ok(psql('postgres', 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${POSTGRES_DB}'`))) !== '1'
    ) {
      await ok(psql('postgres', 'postgres', `CREATE DATABASE ${POSTGRES_DB} OWNER ${POSTGRES_USER}`));
    }
    await ok(psql(POSTGRES_USER, POSTGRES_DB, 'SELECT 1'));
  },
};
