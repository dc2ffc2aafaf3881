// PostgreSQL from the Debian package, run as our own postmaster. Its cluster is .services/postgres/data,
// except as root (see clusterDir). Auth is `trust` for TCP on 127.0.0.1 only (and the unix socket is off):
// fine for a local dev box, never for anything reachable from elsewhere.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $, which } from 'zx';
import { postgresAccount, postgresBinDir, POSTGRES_BIN_SEARCH } from '../../src/postgres/binaries.ts';
import { PrerequisiteError, REPO_ROOT, ensureDir, logFile, serviceDir, type Service } from './lib.ts';
import { HOST, PORTS, POSTGRES_DB, POSTGRES_USER } from '../../src/config/local-services.ts';

const FIX = 'run `make setup` (apt-get install -y postgresql)';

const IN_CHECKOUT = path.join(serviceDir('postgres'), 'data');

/**
 * Where the cluster lives. PostgreSQL refuses to run as root, so as root it runs as `postgres`, and that
 * account cannot traverse a checkout under a private directory (a 0700 or 0750 home, /root): initdb and
 * the server could not even reach a data dir inside it. So as root the cluster lives under the account's
 * own home (/var/lib/postgresql on Debian), one per checkout (named by a hash of its path, with a
 * `checkout` file saying which); `make services-purge` removes it. A cluster an earlier version made in
 * the checkout is kept where it is. As any other user the server runs as that user, in the checkout.
 */
function clusterDir(): string {
  const account = process.getuid?.() === 0 ? postgresAccount() : undefined;
  if (!account || existsSync(path.join(IN_CHECKOUT, 'PG_VERSION'))) return IN_CHECKOUT;
  const id = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
  return path.join(account.home, 'agentstore-clusters', id, 'data');
}
const DATA_DIR = clusterDir();
const POSTGRES_EXTERNAL_DIR = DATA_DIR === IN_CHECKOUT ? undefined : path.dirname(DATA_DIR);
const dataDir = () => DATA_DIR;

function binDir(): string {
  const dir = postgresBinDir();
  if (!dir) throw new PrerequisiteError(`postgres/initdb not found (looked in ${POSTGRES_BIN_SEARCH}): ${FIX}`);
  return dir;
}

/** postgres refuses to run as root: as root we use the `postgres` account the Debian package creates. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const account = postgresAccount();
  if (!account)
    throw new PrerequisiteError(`we run as root and PostgreSQL must not; no 'postgres' user exists: ${FIX}`);
  return { uid: account.uid, gid: account.gid };
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
  if (data !== IN_CHECKOUT) await writeFile(path.join(path.dirname(data), 'checkout'), `${REPO_ROOT}\n`);
  if (user) await chown(data, user.uid, user.gid);
  const res = spawnSync(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'],
    // cwd: initdb returns to its cwd, which the postgres account may not be allowed to enter.
    { encoding: 'utf8', cwd: path.dirname(data), ...user },
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
  ...(POSTGRES_EXTERNAL_DIR ? { dataOutsideCheckout: [POSTGRES_EXTERNAL_DIR] } : {}),
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
      cwd: path.dirname(dataDir()), // a cwd the server's account can enter (see clusterDir)
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
