// Shared helpers for the local services: where their files live, pid files, detached start, graceful stop,
// readiness polling and the "missing prerequisite" error. Each service module only describes *what* to run.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep, which } from 'zx';
import { HOST } from '../../src/config/local-services.ts';
import { REPO_ROOT } from '../../src/util/repo.ts';

export { REPO_ROOT };
/** Data, logs and pid files: git-ignored, at the repo root, one subdirectory per service. */
export const SERVICES_DIR = path.join(REPO_ROOT, '.services');
/** Downloads (jars) live outside the repo so `git clean` or a fresh clone does not re-download them. */
export const CACHE_DIR = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'agentstore');

/** What a service module tells main.ts. */
export interface Service {
  name: string;
  /** Main port; if it answers while we have no live process, something else owns it and we refuse to start. */
  port: number;
  /** Substring of /proc/<pid>/cmdline that proves a pid is still ours (pids get reused after a crash). */
  cmdlineMarker: string;
  startTimeoutMs: number;
  /** SIGTERM is graceful for all but PostgreSQL, where it waits for clients to disconnect. */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /** Throws PrerequisiteError naming what is missing and how to install it. */
  checkPrerequisites(): Promise<void>;
  /** Fetches jars / initialises the data dir if needed; returns the long-running command. */
  prepare(): Promise<Launch>;
  /** One real request; resolves to a short description (e.g. the version) or throws. */
  probe(): Promise<string>;
  /** One-time setup once the server answers (e.g. create the app's database). Must be idempotent. */
  afterReady?(): Promise<void>;
  /** Folders outside .services/<name> that hold its data: `purge` removes them too. */
  dataOutsideCheckout?: string[];
}

export interface Launch {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
}

export class PrerequisiteError extends Error {}

export function requireCommand(cmd: string, fix: string): string {
  const found = which.sync(cmd, { nothrow: true });
  if (!found) throw new PrerequisiteError(`${cmd} not found: ${fix}`);
  return found;
}

export const serviceDir = (name: string): string => path.join(SERVICES_DIR, name);
export const pidFile = (name: string): string => path.join(serviceDir(name), `${name}.pid`);
export const logFile = (name: string): string => path.join(serviceDir(name), `${name}.log`);

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function readPid(name: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(pidFile(name), 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function removePidFile(name: string): Promise<void> {
  await rm(pidFile(name), { force: true });
}

/** Alive and still the process we started (checked through its command line where /proc exists). */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // EPERM means it exists but belongs to someone else: not ours either way.
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self')) return true;
  try {
    const text = readFileSync(cmdline, 'utf8');
    // A zombie (exited, not yet reaped) has an empty cmdline: treat it as gone.
    return text.replaceAll('\0', ' ').includes(marker);
  } catch {
    return false;
  }
}

/** Resident memory in MiB, from /proc (undefined where /proc is absent). */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the command in its own process group with stdout/stderr appended to the service log, writes the pid
 * file and lets go of it, so the service outlives this script.
 */
export async function startDetached(name: string, launch: Launch): Promise<number> {
  await ensureDir(serviceDir(name));
  const fd = openSync(logFile(name), 'a');
  try {
    writeSync(fd, `\n===== ${new Date().toISOString()} starting ${name}: ${launch.cmd} ${launch.args.join(' ')}\n`);
    const child = spawn(launch.cmd, launch.args, {
      cwd: launch.cwd ?? serviceDir(name),
      env: { ...process.env, ...launch.env },
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(launch.uid !== undefined ? { uid: launch.uid } : {}),
      ...(launch.gid !== undefined ? { gid: launch.gid } : {}),
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid ? resolve(child.pid) : reject(new Error('no pid'))));
    });
    child.unref();
    await writeFile(pidFile(name), `${pid}\n`);
    return pid;
  } finally {
    closeSync(fd); // the child holds its own copy
  }
}

/** Sends `signal`, waits up to timeoutMs for the process to exit, then SIGKILLs it. Returns how it ended. */
export async function stopProcess(
  pid: number,
  marker: string,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<'stopped' | 'killed'> {
  try {
    process.kill(pid, signal);
  } catch {
    return 'stopped';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, marker)) return 'stopped';
    await sleep(250);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* exited meanwhile */
  }
  while (isOurProcess(pid, marker)) await sleep(100);
  return 'killed';
}

/** True if something accepts TCP connections on HOST:port. */
export function portOpen(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class NotReadyError extends Error {}

/**
 * Polls `probe` until it succeeds. Gives up when the timeout passes or the process dies, with the log's tail
 * in the error so the cause is on screen.
 */
export async function waitReady(svc: Service, pid: number): Promise<string> {
  const deadline = Date.now() + svc.startTimeoutMs;
  let lastError = '';
  for (;;) {
    try {
      return await svc.probe();
    } catch (err) {
      lastError = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    }
    if (!isOurProcess(pid, svc.cmdlineMarker)) {
      throw new NotReadyError(`${svc.name} exited during startup.\n${await logTail(svc.name)}`);
    }
    if (Date.now() > deadline) {
      throw new NotReadyError(
        `${svc.name} not ready after ${svc.startTimeoutMs / 1000}s (last probe: ${lastError}).\n${await logTail(svc.name)}`,
      );
    }
    await sleep(1000);
  }
}

export async function logTail(name: string, lines = 40): Promise<string> {
  const file = logFile(name);
  try {
    const all = (await readFile(file, 'utf8')).trimEnd().split('\n');
    return `--- last ${lines} lines of ${path.relative(process.cwd(), file)} ---\n${all.slice(-lines).join('\n')}`;
  } catch {
    return `(no log at ${file})`;
  }
}

/** Wraps a promise so a hung probe cannot stall polling. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
