// up / down / status of the sandbox cluster. `up` is idempotent and repairs: every daemon that is not running
// (a killed run, a reboot) is started again, one that runs and answers is kept. `down` undoes all of it.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { $ } from 'zx';
import { isOurProcess, rssMiB } from '../services/lib.ts';
import { addonManifests } from './addons.ts';
import { buildAll } from './build.ts';
import { writeConfigs } from './config.ts';
import { daemons, livePid, logTail, policyDaemon, startDaemon, stopDaemon, type Daemon } from './daemons.ts';
import {
  cgroupPids,
  cgroupsLeft,
  checkHostPrerequisites,
  deleteNetns,
  ensureCgroupRoot,
  ensureHostPackages,
  ensureNetns,
  hostNetworkLeaks,
  netnsExists,
  ourMounts,
  recordSysctls,
  removeCgroups,
  restoreSysctls,
  unmountOurs,
} from './host.ts';
import { ensureImages, sandboxRecipes } from './images/load.ts';
import { kubectl, kubectlOk } from './kubectl.ts';
import {
  CGROUP_ROOT,
  CONTAINERD_SOCKET,
  KUBECONFIG,
  NETNS,
  NODE_NAME,
  RUN_DIR,
  STATE_DIR,
  stateFile,
} from './layout.ts';
import { phase, say } from './phases.ts';
import { ensurePki } from './pki.ts';
import { HELPER_IMAGE, warmRootfs } from './images/recipes.ts';
import { KUBERNETES } from './versions.ts';

export class ClusterError extends Error {}

/** The checkout whose cluster this machine runs: one at a time (one netns name, one cgroup parent). */
const OWNER = `${RUN_DIR}/owner`;

/** True if any daemon recorded under a (possibly other) checkout's state dir still runs. */
async function ownerAlive(owner: string): Promise<boolean> {
  const dir = path.join(owner, 'pids');
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number((await readFile(path.join(dir, f), 'utf8').catch(() => '')).trim());
    if (pid > 0 && existsSync(`/proc/${pid}`)) return true;
  }
  return false;
}

/**
 * One cluster per machine (one netns name, one cgroup parent). Another checkout's live cluster is refused; one
 * whose processes are all gone (a killed session, a CI run after it) is reclaimed: its leftovers are removed.
 */
async function checkOwner(): Promise<void> {
  const owner = (await readFile(OWNER, 'utf8').catch(() => '')).trim();
  if (!owner || owner === STATE_DIR) return;
  if (await ownerAlive(owner)) {
    throw new ClusterError(
      `a sandbox cluster of another checkout (${owner}) runs in netns ${NETNS}: run \`make cluster-down\` there first`,
    );
  }
  await phase(`reclaim the abandoned cluster of ${owner}`, async () => {
    const stray = [...new Set([...(await shimPids()), ...(await cgroupPids())])];
    for (const pid of stray) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    await sleep(stray.length ? 1000 : 0);
    const mounts = await unmountOurs(owner);
    const netns = await deleteNetns();
    for (let i = 0; i < 10 && (await cgroupsLeft()).length; i++) {
      await removeCgroups();
      await sleep(300);
    }
    const sysctls = await restoreSysctls(path.join(owner, 'sysctls.json'));
    await rm(RUN_DIR, { recursive: true, force: true });
    return `${stray.length} processes killed, ${mounts} mounts, netns ${netns ? 'deleted' : 'absent'}, sysctls ${sysctls.join(', ') || 'unchanged'}`;
  });
}

/** Polls `check` until it returns a string (done) or the deadline passes (the error says what was awaited). */
export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<string | undefined>,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const done = await check();
      if (done !== undefined) return done;
    } catch (err) {
      last = (err as Error).message.split('\n')[0] ?? '';
    }
    if (Date.now() > deadline)
      throw new ClusterError(`${what}: not ready after ${timeoutMs / 1000}s${last ? ` (${last})` : ''}`);
    await sleep(1000);
  }
}

/** How each daemon proves it answers, from inside the netns. */
async function answers(d: Daemon): Promise<string | undefined> {
  const curl = (url: string, ...extra: string[]) =>
    $({ quiet: true, nothrow: true, timeout: '10s' })`ip netns exec ${NETNS} curl -sf --max-time 5 ${extra} ${url}`;
  switch (d.name) {
    case 'containerd': {
      const r = await $({ quiet: true, nothrow: true, timeout: '10s' })`ctr --address ${CONTAINERD_SOCKET} version`;
      return r.exitCode === 0 ? /Server:[\s\S]*?Version:\s+(\S+)/.exec(r.stdout)?.[1] : undefined;
    }
    case 'etcd':
      return (await curl('http://127.0.0.1:2379/health')).stdout.includes('"health":"true"') ? 'healthy' : undefined;
    case 'kube-apiserver': {
      const r = await kubectl(['get', '--raw', '/readyz'], { timeout: '10s' });
      return r.stdout.trim() === 'ok' ? 'readyz ok' : undefined;
    }
    case 'kube-controller-manager':
      return (await curl('https://127.0.0.1:10257/healthz', '-k')).stdout.trim() === 'ok' ? 'healthz ok' : undefined;
    case 'kube-scheduler':
      return (await curl('https://127.0.0.1:10259/healthz', '-k')).stdout.trim() === 'ok' ? 'healthz ok' : undefined;
    case 'kubelet':
      return (await curl('http://127.0.0.1:10248/healthz')).stdout.trim() === 'ok' ? 'healthz ok' : undefined;
    case 'kube-proxy':
      return (await curl('http://127.0.0.1:10256/healthz')).exitCode === 0 ? 'healthz ok' : undefined;
    case 'kube-router':
      return (await curl('http://127.0.0.1:20244/healthz')).exitCode === 0 ? 'healthz ok' : undefined;
    default:
      return 'running';
  }
}

/** Starts a daemon unless it runs already, then waits until it answers; a crash ends the wait with its log. */
async function ensureDaemon(d: Daemon, timeoutMs: number): Promise<string> {
  let pid = await livePid(d);
  const reused = pid !== undefined;
  pid ??= await startDaemon(d);
  const started = pid;
  const detail = await waitFor(d.name, timeoutMs, async () => {
    if (!isOurProcess(started, d.marker)) throw new ClusterError(`${d.name} exited.\n${await logTail(d.name)}`);
    return answers(d);
  }).catch(async (err: Error) => {
    throw new ClusterError(`${err.message}\n${await logTail(d.name)}`);
  });
  return `${d.name} ${reused ? 'kept' : 'started'} (pid ${pid}): ${detail}`;
}

async function nodeReady(): Promise<string | undefined> {
  const r = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  return r.stdout.trim() === 'True' ? `node ${NODE_NAME} Ready` : undefined;
}

/** A real request of each kind: a pod that resolves a Service name through CoreDNS and writes to a bound PVC. */
async function probeWorkload(timeoutMs: number): Promise<string> {
  const ns = 'agentstore-sandbox-probe';
  await kubectl(['delete', 'namespace', ns, '--wait=true', '--timeout=60s', '--ignore-not-found']);
  const manifest = `apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: probe, namespace: ${ns} }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 16Mi } } }
---
apiVersion: v1
kind: Pod
metadata: { name: probe, namespace: ${ns} }
spec:
  restartPolicy: Never
  containers:
    - name: probe
      image: ${HELPER_IMAGE}
      imagePullPolicy: IfNotPresent
      command: [sh, -c, 'getent hosts kubernetes.default.svc.cluster.local && echo written > /data/probe && cat /data/probe']
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: probe } }]
`;
  await kubectlOk(['apply', '-f', '-'], { input: manifest });
  const phase = await waitFor('probe pod (DNS lookup + PVC write)', timeoutMs, async () => {
    const p = (await kubectl(['-n', ns, 'get', 'pod', 'probe', '-o', 'jsonpath={.status.phase}'])).stdout.trim();
    return p === 'Succeeded' || p === 'Failed' ? p : undefined;
  });
  const logs = (await kubectl(['-n', ns, 'logs', 'probe'])).stdout.trim();
  const pvc = (await kubectl(['-n', ns, 'get', 'pvc', 'probe', '-o', 'jsonpath={.status.phase}'])).stdout.trim();
  if (phase !== 'Succeeded' || !logs.includes('written') || pvc !== 'Bound') {
    const events = (await kubectl(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp'])).stdout;
    throw new ClusterError(`probe pod ${phase}, PVC ${pvc || 'unknown'}; its log:\n${logs}\nevents:\n${events}`);
  }
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  const ip = logs.split(/\s+/)[0];
  return `DNS kubernetes.default -> ${ip}, PVC Bound (local-path), file written and read back`;
}

export interface UpOptions {
  /** Also start the NetworkPolicy controller (kube-router). */
  policies: boolean;
}

export async function up(o: UpOptions): Promise<void> {
  await phase('prerequisites', async () => {
    const pkgs = await ensureHostPackages(say);
    return `${await checkHostPrerequisites()}; Debian packages ${pkgs}`;
  });
  await checkOwner();
  // Cold, the Go builds are CPU-bound and debootstrap mostly waits on downloads and dpkg: overlap them.
  const rootfs = phase('root filesystems', () => warmRootfs(say));
  rootfs.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
  await phase('build binaries', async () => (await buildAll(say)).join(', '));
  await rootfs;
  await phase('network namespace', async () => {
    await mkdir(STATE_DIR, { recursive: true });
    await mkdir(RUN_DIR, { recursive: true });
    await writeFile(OWNER, `${STATE_DIR}\n`);
    await recordSysctls();
    await ensureCgroupRoot();
    return ensureNetns();
  });
  await phase('certificates and configs', async () => {
    const made = await ensurePki();
    await writeConfigs();
    return made;
  });
  const list = daemons();
  await phase('containerd', () => ensureDaemon(list[0]!, 60_000));
  const images = phase('images', async () => (await ensureImages(await sandboxRecipes(), say)).join('; '));
  images.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
  // The control plane needs no images: start it while the images build.
  await phase('control plane', async () => {
    const out: string[] = [];
    for (const d of list.slice(1, 5)) out.push(await ensureDaemon(d, 120_000));
    return out.join('; ');
  });
  await images;
  await phase('node', async () => {
    const out: string[] = [];
    for (const d of list.slice(5)) out.push(await ensureDaemon(d, 120_000));
    out.push(await waitFor('node Ready', 120_000, nodeReady));
    return out.join('; ');
  });
  if (o.policies) await phase('NetworkPolicy controller', () => ensureDaemon(policyDaemon(), 120_000));
  await phase('add-ons (CoreDNS, local-path)', async () => {
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: addonManifests() });
    for (const [ns, dep] of [
      ['kube-system', 'coredns'],
      ['local-path-storage', 'local-path-provisioner'],
    ] as const) {
      await kubectlOk(['-n', ns, 'rollout', 'status', `deployment/${dep}`, '--timeout=180s'], { timeout: '200s' });
    }
    return 'coredns and local-path-provisioner rolled out';
  });
  await phase('ready check', () => probeWorkload(180_000));
  say(`cluster up: Kubernetes ${KUBERNETES} in netns ${NETNS}; KUBECONFIG=${KUBECONFIG}`);
  say(`clients run inside the netns, e.g. \`ip netns exec ${NETNS} kubectl --kubeconfig ${KUBECONFIG} get pods -A\``);
}

/** Processes left by a killed run that only our containerd could have started (their command line names its socket). */
async function shimPids(): Promise<number[]> {
  const r = await $({ quiet: true, nothrow: true })`pgrep -f ${CONTAINERD_SOCKET}`;
  return r.stdout
    .split('\n')
    .map(Number)
    .filter((p) => p > 0 && p !== process.pid);
}

export async function down(): Promise<void> {
  await checkOwner();
  const all = [...daemons(), policyDaemon()];
  await phase('stop containers', async () => {
    const kubelet = all.find((d) => d.name === 'kubelet')!;
    const kubeletPid = await livePid(kubelet);
    const notes: string[] = [];
    // kubelet first, so it does not restart the containers we remove.
    if (kubeletPid !== undefined) notes.push(await stopDaemon(kubelet));
    const containerd = all[0]!;
    if ((await livePid(containerd)) !== undefined) {
      const ctr = (...args: string[]) =>
        $({ quiet: true, nothrow: true, timeout: '60s' })`ctr --address ${CONTAINERD_SOCKET} -n k8s.io ${args}`;
      const tasks = (await ctr('tasks', 'ls', '-q')).stdout.split('\n').filter(Boolean);
      for (const t of tasks) await ctr('tasks', 'kill', '-s', 'SIGKILL', t);
      await sleep(tasks.length ? 1000 : 0);
      for (const t of tasks) await ctr('tasks', 'delete', '-f', t);
      const containers = (await ctr('containers', 'ls', '-q')).stdout.split('\n').filter(Boolean);
      for (const c of containers) await ctr('containers', 'delete', c);
      notes.push(`${tasks.length} tasks killed, ${containers.length} containers removed`);
    }
    return notes.join('; ') || 'none running';
  });
  await phase('stop daemons', async () => {
    const out: string[] = [];
    for (const d of [...all].reverse()) out.push(await stopDaemon(d));
    // Shims and container processes outlive a killed containerd: ours by their socket and by our cgroup.
    const stray = [...new Set([...(await shimPids()), ...(await cgroupPids())])];
    for (const pid of stray) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    if (stray.length) out.push(`${stray.length} leftover shim/container processes killed`);
    return out.filter((l) => !l.endsWith('not running')).join('; ') || 'none running';
  });
  await phase('remove mounts, netns, cgroups', async () => {
    await sleep(500);
    const mounts = await unmountOurs();
    const netns = await deleteNetns();
    let cgroups = 0;
    for (let i = 0; i < 10 && (await cgroupsLeft()).length; i++) {
      cgroups += await removeCgroups();
      if ((await cgroupsLeft()).length) await sleep(500);
    }
    const left = await cgroupsLeft();
    if (left.length)
      throw new ClusterError(`cgroups still in use: ${left.join(', ')} (pids ${(await cgroupPids()).join(' ')})`);
    await rm(RUN_DIR, { recursive: true, force: true });
    return `${mounts} mounts, netns ${netns ? 'deleted' : 'absent'}, ${cgroups} cgroups removed`;
  });
  await phase('restore sysctls', async () => {
    const changed = await restoreSysctls();
    return changed.length ? changed.join(', ') : 'unchanged';
  });
  await phase('check nothing is left', async () => {
    const leaks = [...(await hostNetworkLeaks()), ...(await ourMounts()).map((m) => `mount ${m}`)];
    if (netnsExists()) leaks.push(`netns ${NETNS}`);
    if (leaks.length) throw new ClusterError(`left behind: ${leaks.join('; ')}`);
    return 'no netns, mounts, cgroups, links, addresses or KUBE/CNI rules of ours on the machine';
  });
}

export interface StatusLine {
  line: string;
  ok: boolean;
}

export async function status(): Promise<{ lines: StatusLine[]; rssMiB: number }> {
  const lines: StatusLine[] = [];
  let rss = 0;
  lines.push({ line: `netns ${NETNS}: ${netnsExists() ? 'present' : 'absent'}`, ok: netnsExists() });
  for (const d of [...daemons(), policyDaemon()]) {
    const pid = await livePid(d);
    if (pid === undefined) {
      lines.push({ line: `${d.name.padEnd(24)} stopped`, ok: d.name === 'kube-router' });
      continue;
    }
    const mem = rssMiB(pid) ?? 0;
    rss += mem;
    const a = await answers(d).catch(() => undefined);
    lines.push({
      line: `${d.name.padEnd(24)} pid ${pid}  rss ${mem} MiB  ${a ?? 'NOT ANSWERING'}`,
      ok: a !== undefined,
    });
  }
  const shims = await shimPids();
  const shimRss = shims.reduce((s, p) => s + (rssMiB(p) ?? 0), 0);
  // The pods' memory as the kernel accounts it (resident, without page cache) in our cgroup parent.
  const stat = await readFile(`/sys/fs/cgroup/memory/${CGROUP_ROOT}/memory.stat`, 'utf8').catch(() => '');
  const podRss = Math.round(Number(/^total_rss (\d+)/m.exec(stat)?.[1] ?? 0) / 2 ** 20);
  rss += podRss + shimRss;
  lines.push({
    line: `pods: rss ${podRss} MiB (cgroup ${CGROUP_ROOT}); ${shims.length} shims: rss ${shimRss} MiB`,
    ok: true,
  });
  if (existsSync(KUBECONFIG) && netnsExists()) {
    const ready = await nodeReady().catch(() => undefined);
    lines.push({ line: ready ?? `node ${NODE_NAME} not Ready`, ok: !!ready });
  }
  return { lines, rssMiB: rss };
}

export const kubeconfigPath = (): string => KUBECONFIG;
export const stateDir = (): string => stateFile();
