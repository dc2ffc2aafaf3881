import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresAccount, postgresBinDir, POSTGRES_BIN_SEARCH } from '../binaries.ts';
import { freePort } from '../../util/free-port.ts';

/**
 * The study's own PostgreSQL: a throwaway cluster on a free loopback port, started from the same
 * Debian binaries as the local services. Its own, because the study does what a shared server
 * must not see: thousands of DROP INDEX ... ROLLBACK transactions (protocol.ts), settings chosen
 * for the run (shared_buffers, checkpoints), and WAL that no other engineer's tests write into
 * (the write cost reads the server's LSN). Removed when stopped.
 */
export interface ServerSettings {
  sharedBuffers: string;
  /** Seconds between automatic checkpoints. */
  checkpointTimeoutS: number;
}

const PREFIX = 'agentstore-index-study-';

export class StudyServer {
  private child: ChildProcess | undefined;
  private settings: ServerSettings | undefined;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  urlOf(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb into a fresh temporary folder (owned by `postgres` when we run as root: the server refuses root). */
  static async create(): Promise<StudyServer> {
    const bin = postgresBinDir();
    if (!bin)
      throw new Error(`postgres/initdb not found (looked in ${POSTGRES_BIN_SEARCH}): run \`make setup\` (apt-get)`);
    removeStale();
    const account = process.getuid?.() === 0 ? postgresAccount() : undefined;
    if (process.getuid?.() === 0 && !account)
      throw new Error(
        "running as root, and PostgreSQL must not: no 'postgres' account exists (apt-get install postgresql)",
      );
    const user = account ? { uid: account.uid, gid: account.gid } : undefined;
    const dir = mkdtempSync(path.join(tmpdir(), PREFIX));
    if (user) chownSync(dir, user.uid, user.gid);
    const init = spawnSync(
      path.join(bin, 'initdb'),
      ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'],
      { encoding: 'utf8', cwd: dir, ...user },
    );
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error?.message}`);
    }
    return new StudyServer(dir, await freePort(), bin, user);
  }

  async start(s: ServerSettings): Promise<void> {
    this.settings = s;
    const args = [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      `shared_buffers=${s.sharedBuffers}`,
      '-c',
      'track_io_timing=on',
      '-c',
      `checkpoint_timeout=${s.checkpointTimeoutS}s`,
      '-c',
      'max_wal_size=4GB', // checkpoints come from the timer (or us), not from WAL volume
      '-c',
      'max_connections=200',
      '-c',
      'logging_collector=off',
    ];
    const child = spawn(path.join(this.bin, 'postgres'), args, {
      cwd: this.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...this.user,
    });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    this.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the study's postgres exited at start: ${log}`);
      const c = new pg.Client({ connectionString: this.url });
      try {
        await c.connect();
        await c.query('SELECT 1');
        await c.end();
        return;
      } catch {
        await c.end().catch(() => {});
        if (Date.now() > deadline) throw new Error(`the study's postgres did not accept connections in 60 s: ${log}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Fast shutdown (SIGINT): clean, without waiting for clients; SIGKILL of our own child after 60 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /**
   * For a cold-cache call: stop (shared buffers gone), write back and drop the OS page cache, start
   * with the same settings and data. Dropping needs root (/proc/sys/vm/drop_caches); without it
   * the restart still empties shared buffers, and false says the OS cache may still hold the pages.
   */
  async restartCold(): Promise<boolean> {
    if (!this.settings) throw new Error("the study's postgres was never started");
    await this.stop();
    spawnSync('sync');
    let dropped = true;
    try {
      writeFileSync('/proc/sys/vm/drop_caches', '3');
    } catch {
      dropped = false;
    }
    await this.start(this.settings);
    return dropped;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Drop a killed run's server: the process is ours and was started by a process that is gone. */
  killNow(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A folder left by a run that was killed: its postmaster.pid names a process that no longer runs. */
function removeStale(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(tmpdir(), name);
    const pidFile = path.join(dir, 'data', 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
    if (pid > 0 && alive(pid)) continue;
    // No server yet: another run may be between initdb and start; only an old folder is stale.
    if (pid === 0 && Date.now() - statSync(dir).mtimeMs < 3_600_000) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
