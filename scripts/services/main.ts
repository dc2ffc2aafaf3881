// Local services for development and integration tests, as plain processes (no Docker):
//   npx tsx scripts/services/main.ts <up|down|status|purge> [cassandra|kafka|redis|postgres|s3 ...]   (default: all)
// up:     start what is not running (idempotent; a stale pid file from a crash is cleaned up) and wait until
//         each service answers a real request. Exit 1 if any fails, 2 on a missing prerequisite.
// down:   SIGTERM (PostgreSQL: SIGINT), wait, then SIGKILL. A no-op for what is not running.
// status: one line per service; exit 1 unless all requested services are running and answering.
// purge:  down, then remove each service's data (.services/<name>, and PostgreSQL's cluster when it lives
//         outside the checkout, see postgres.ts): the next `up` starts from empty.
// Ports: src/config/local-services.ts. Data, logs, pid files: .services/<name>/. Jars: ~/.cache/agentstore (+ ~/.m2).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { cassandra } from './cassandra.ts';
import { kafka } from './kafka.ts';
import {
  PrerequisiteError,
  REPO_ROOT,
  isOurProcess,
  logFile,
  portOpen,
  readPid,
  removePidFile,
  serviceDir,
  rssMiB,
  startDetached,
  stopProcess,
  waitReady,
  withTimeout,
  type Service,
} from './lib.ts';
import { HOST } from '../../src/config/local-services.ts';
import { postgres } from './postgres.ts';
import { redis } from './redis.ts';
import { s3 } from './s3.ts';

const ALL: Service[] = [cassandra, kafka, redis, postgres, s3];

const say = (svc: Service, msg: string) => console.log(`[${svc.name}] ${msg}`);
const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

/** The pid from the pid file if that process is alive and ours; cleans up a stale pid file. */
async function livePid(svc: Service, quiet = false): Promise<number | undefined> {
  const pid = await readPid(svc.name);
  if (pid === undefined) return undefined;
  if (isOurProcess(pid, svc.cmdlineMarker)) return pid;
  if (!quiet) say(svc, `stale pid file (pid ${pid} is not running, or is not ours any more), removing it`);
  await removePidFile(svc.name);
  return undefined;
}

async function up(svc: Service): Promise<void> {
  const t0 = Date.now();
  const running = await livePid(svc);
  if (running !== undefined) {
    try {
      say(svc, `already running (pid ${running}): ${await svc.probe()}`);
      return;
    } catch {
      // e.g. a previous `up` was interrupted while it was still booting: wait for it rather than restart it.
      say(svc, `pid ${running} is running but not answering yet, waiting`);
      const detail = await waitReady(svc, running);
      await svc.afterReady?.();
      say(svc, `ready after ${secs(t0)}: ${detail}`);
      return;
    }
  }
  if (await portOpen(svc.port)) {
    // Another checkout's services (a second clone, a CI rehearsal) answer on the same fixed ports:
    // if the port answers this service's real request, use it; anything else is a squatter.
    const detail = await svc.probe().catch(() => undefined);
    if (detail === undefined) {
      throw new Error(
        `${HOST}:${svc.port} is already taken by a process we did not start (no live pid file); stop it first`,
      );
    }
    say(
      svc,
      `served on ${HOST}:${svc.port} by a process started elsewhere (another checkout? using it; \`down\` here will not stop it): ${detail}`,
    );
    return;
  }
  const launch = await svc.prepare();
  const pid = await startDetached(svc.name, launch);
  say(svc, `started pid ${pid}, log ${path.relative(REPO_ROOT, logFile(svc.name))}; waiting for it to answer`);
  const detail = await waitReady(svc, pid);
  await svc.afterReady?.();
  say(svc, `ready in ${secs(t0)}: ${detail}`);
}

async function down(svc: Service): Promise<void> {
  const pid = await livePid(svc, true);
  if (pid === undefined) {
    await removePidFile(svc.name);
    say(svc, 'not running');
    return;
  }
  const t0 = Date.now();
  const how = await stopProcess(pid, svc.cmdlineMarker, svc.stopSignal ?? 'SIGTERM', svc.stopTimeoutMs ?? 20_000);
  await removePidFile(svc.name);
  say(
    svc,
    how === 'stopped'
      ? `stopped pid ${pid} in ${secs(t0)}`
      : `pid ${pid} ignored ${svc.stopSignal ?? 'SIGTERM'}: killed`,
  );
}

async function purge(svc: Service): Promise<void> {
  await down(svc);
  for (const dir of [serviceDir(svc.name), ...(svc.dataOutsideCheckout ?? [])]) {
    await rm(dir, { recursive: true, force: true });
    say(svc, `removed ${dir}`);
  }
}

/** One line about the service and whether it is healthy. */
async function status(svc: Service): Promise<{ line: string; ok: boolean }> {
  const pid = await livePid(svc, true);
  const where = `${HOST}:${svc.port}`;
  if (pid === undefined) {
    const squatter = (await portOpen(svc.port)) ? ' (port taken by a process we did not start)' : '';
    return { line: `${svc.name.padEnd(10)} stopped  ${where}${squatter}`, ok: false };
  }
  const rss = rssMiB(pid);
  const head = `${svc.name.padEnd(10)} running  ${where}  pid ${pid}${rss === undefined ? '' : `  rss ${rss} MiB`}`;
  try {
    return { line: `${head}  ${await withTimeout(svc.probe(), 30_000, 'probe')}`, ok: true };
  } catch (err) {
    return {
      line: `${head}  NOT ANSWERING: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      ok: false,
    };
  }
}

function parseArgs(argv: string[]): { command: string; services: Service[] } {
  const [command, ...names] = argv;
  const usage = `usage: main.ts <up|down|status|purge> [${ALL.map((s) => s.name).join('|')} ...]`;
  if (!command || !['up', 'down', 'status', 'purge'].includes(command)) throw new PrerequisiteError(usage);
  const services =
    names.length === 0
      ? ALL
      : names.map((n) => {
          const svc = ALL.find((s) => s.name === n);
          if (!svc) throw new PrerequisiteError(`unknown service '${n}'\n${usage}`);
          return svc;
        });
  return { command, services };
}

async function main(): Promise<number> {
  const { command, services } = parseArgs(process.argv.slice(2));
  if (command === 'status') {
    const results = await Promise.all(services.map(status)); // probes run concurrently
    for (const r of results) console.log(r.line);
    return results.every((r) => r.ok) ? 0 : 1;
  }
  if (command === 'up') {
    // Check every prerequisite before starting anything, so a missing package fails fast and alone.
    for (const svc of services) await svc.checkPrerequisites();
  }
  const t0 = Date.now();
  const results = await Promise.allSettled(services.map(command === 'up' ? up : command === 'purge' ? purge : down));
  let failed = 0;
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      failed++;
      console.error(
        `[${services[i]?.name}] FAILED: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`,
      );
    }
  });
  console.log(`${command} ${failed ? `failed for ${failed} service(s)` : 'done'} in ${secs(t0)}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof PrerequisiteError ? 2 : 1);
  },
);
