// What the sandbox changes on the machine, and how `down` undoes each of it: the network namespace (with its
// links, routes, iptables chains and ipsets, which all live and die inside it), the cgroup parent of the pods,
// the mounts containerd and kubelet make under our own directories, and the global sysctls kubelet sets.
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { PrerequisiteError, requireCommand } from '../services/lib.ts';
import {
  CGROUP_ROOT,
  GLOBAL_SYSCTLS,
  NETNS,
  NETNS_PATH,
  NODE_IP,
  NODE_LINK,
  RUN_DIR,
  SERVICE_CIDR,
  STATE_DIR,
  stateFile,
} from './layout.ts';

const run = $({ quiet: true, timeout: '60s' });
const CGROUP_FS = '/sys/fs/cgroup';
/** The v1 hierarchies kubelet and runc place pods in (kubelet refuses to start without cpu, memory, pids). */
export const CGROUP_CONTROLLERS = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'pids',
  'devices',
  'freezer',
  'blkio',
  'systemd',
];

/** Every prerequisite, checked before anything is changed; each error says what to install or why. */
export async function checkHostPrerequisites(): Promise<string> {
  if (process.platform !== 'linux') throw new PrerequisiteError('the sandbox cluster runs on Linux only');
  if (process.getuid?.() !== 0) {
    throw new PrerequisiteError(
      'the sandbox cluster needs root (network namespace, mounts, cgroups): run `sudo make cluster-up`',
    );
  }
  const fix = 'run `make cluster-up` once as root with network access to Debian (it installs them)';
  for (const cmd of [
    'containerd',
    'containerd-shim-runc-v2',
    'runc',
    'ctr',
    'ip',
    'nsenter',
    'iptables',
    'ipset',
    'umoci',
    'skopeo',
    'debootstrap',
    'openssl',
  ]) {
    requireCommand(cmd, fix);
  }
  for (const plugin of ['bridge', 'host-local', 'portmap', 'loopback']) {
    if (!existsSync(`/usr/lib/cni/${plugin}`))
      throw new PrerequisiteError(`CNI plugin /usr/lib/cni/${plugin} missing: ${fix}`);
  }
  const fs = await readFile('/proc/filesystems', 'utf8');
  if (!/\boverlay\b/.test(fs))
    throw new PrerequisiteError("the kernel has no overlayfs (containerd's snapshotter needs it)");
  const mounted = new Set((await readdir(CGROUP_FS).catch(() => [])) as string[]);
  const missing = ['cpu', 'memory', 'pids', 'cpuset'].filter((c) => !mounted.has(c));
  if (missing.length) {
    throw new PrerequisiteError(
      `cgroup v1 controller(s) ${missing.join(', ')} not mounted under ${CGROUP_FS} (kubelet needs cpu, memory, pids, cpuset)`,
    );
  }
  return `root, overlayfs, cgroup v1 (${[...mounted].filter((c) => CGROUP_CONTROLLERS.includes(c)).join(',')})`;
}

/** The Debian packages the cluster runs on; installed when missing (apt-get, as everything else in make setup). */
export const HOST_PACKAGES = [
  'containerd',
  'runc',
  'containernetworking-plugins',
  'umoci',
  'skopeo',
  'debootstrap',
  'iptables',
  'ipset',
  'conntrack',
];

export async function ensureHostPackages(log: (m: string) => void): Promise<string> {
  const missing: string[] = [];
  for (const p of HOST_PACKAGES) {
    const q = await $({ quiet: true, nothrow: true })`dpkg-query -W -f=${'${Status}'} ${p}`;
    if (!q.stdout.includes('install ok installed')) missing.push(p);
  }
  if (missing.length === 0) return 'all present';
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await $({ quiet: true, env, timeout: '15m' })`apt-get update -qq`;
  const r = await $({
    quiet: true,
    env,
    nothrow: true,
    timeout: '15m',
  })`apt-get install -y -qq --no-install-recommends ${missing}`;
  if (r.exitCode !== 0) throw new PrerequisiteError(`apt-get install ${missing.join(' ')} failed:\n${r.stderr.trim()}`);
  return `installed ${missing.join(' ')}`;
}

export const netnsExists = (): boolean => existsSync(NETNS_PATH);

/** The netns, its loopback, the node's address on an empty bridge, and the route that makes Service IPs reachable. */
export async function ensureNetns(): Promise<string> {
  if (!netnsExists()) await run`ip netns add ${NETNS}`;
  const ip = (...args: string[]) => run`ip -n ${NETNS} ${args}`;
  await ip('link', 'set', 'lo', 'up');
  const links = (await run`ip -n ${NETNS} -o link show`).stdout;
  if (!links.includes(`${NODE_LINK}:`)) await ip('link', 'add', NODE_LINK, 'type', 'bridge');
  await ip('link', 'set', NODE_LINK, 'up');
  const addrs = (await run`ip -n ${NETNS} -o addr show dev ${NODE_LINK}`).stdout;
  if (!addrs.includes(`${NODE_IP}/32`)) await ip('addr', 'add', `${NODE_IP}/32`, 'dev', NODE_LINK);
  // No default route in here: without this, hostNetwork pods get "network unreachable" for Service IPs before
  // kube-proxy's DNAT applies.
  await ip('route', 'replace', SERVICE_CIDR, 'dev', NODE_LINK, 'src', NODE_IP);
  // Forwarding and bridge netfilter are per netns: set them here, the machine's own stay untouched.
  await run`ip netns exec ${NETNS} sysctl -q -w net.ipv4.ip_forward=1`;
  await run`ip netns exec ${NETNS} sysctl -q -w net.ipv4.conf.all.route_localnet=1`;
  await $({ quiet: true, nothrow: true })`ip netns exec ${NETNS} sysctl -q -w net.bridge.bridge-nf-call-iptables=1`;
  return `netns ${NETNS}, node address ${NODE_IP} on ${NODE_LINK}, route ${SERVICE_CIDR}`;
}

export async function deleteNetns(): Promise<boolean> {
  if (!netnsExists()) return false;
  await run`ip netns delete ${NETNS}`;
  return true;
}

const SYSCTL_FILE = stateFile('sysctls.json');

/** Records the global settings kubelet changes, once: a repair `up` after a killed run keeps the original record. */
export async function recordSysctls(): Promise<void> {
  if (existsSync(SYSCTL_FILE)) return;
  const values: Record<string, string> = {};
  for (const key of GLOBAL_SYSCTLS) {
    const v = await readFile(`/proc/sys/${key}`, 'utf8').catch(() => undefined);
    if (v !== undefined) values[key] = v.trim();
  }
  await writeFile(SYSCTL_FILE, JSON.stringify(values, null, 2));
}

/** `file`: another checkout's record, when its abandoned cluster is reclaimed. */
export async function restoreSysctls(file = SYSCTL_FILE): Promise<string[]> {
  if (!existsSync(file)) return [];
  const values = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  const changed: string[] = [];
  for (const [key, v] of Object.entries(values)) {
    const now = (await readFile(`/proc/sys/${key}`, 'utf8').catch(() => v)).trim();
    if (now !== v) {
      await writeFile(`/proc/sys/${key}`, v);
      changed.push(`${key.replaceAll('/', '.')} ${now} -> ${v}`);
    }
  }
  await rm(file, { force: true });
  return changed;
}

/** The pods' cgroup parent in every v1 hierarchy: kubelet requires it to exist. */
export async function ensureCgroupRoot(): Promise<void> {
  for (const c of CGROUP_CONTROLLERS) {
    const base = path.join(CGROUP_FS, c);
    if (!existsSync(base)) continue;
    const dir = path.join(base, CGROUP_ROOT);
    if (!existsSync(dir)) await run`mkdir ${dir}`;
    if (c === 'cpuset') {
      // A new cpuset cgroup starts with no CPUs and no memory nodes: inherit the parent's.
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const v = (await readFile(path.join(base, f), 'utf8')).trim();
        await writeFile(path.join(dir, f), v);
      }
    }
  }
}

/** Pids still in our cgroup tree (containers whose shim was killed): ours by construction. */
export async function cgroupPids(): Promise<number[]> {
  const pids = new Set<number>();
  const walk = async (dir: string): Promise<void> => {
    const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const l of procs.split('\n')) if (l.trim()) pids.add(Number(l));
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(path.join(dir, e.name));
    }
  };
  for (const c of ['memory', 'pids']) await walk(path.join(CGROUP_FS, c, CGROUP_ROOT));
  return [...pids];
}

/** Removes our cgroup tree bottom-up in every hierarchy (a cgroup directory goes with rmdir once it is empty). */
export async function removeCgroups(): Promise<number> {
  let removed = 0;
  const rmTree = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await rmTree(path.join(dir, e.name));
    }
    await rmdir(dir).then(
      () => removed++,
      () => undefined,
    );
  };
  for (const c of CGROUP_CONTROLLERS) {
    const dir = path.join(CGROUP_FS, c, CGROUP_ROOT);
    if (existsSync(dir)) await rmTree(dir);
  }
  return removed;
}

export async function cgroupsLeft(): Promise<string[]> {
  return CGROUP_CONTROLLERS.map((c) => path.join(CGROUP_FS, c, CGROUP_ROOT)).filter((d) => existsSync(d));
}

/** Mount points under our directories, deepest first (from this mount namespace's table). */
export async function ourMounts(stateDir = STATE_DIR): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  const roots = [stateDir, RUN_DIR];
  const points = table
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => roots.some((r) => p === r || p.startsWith(`${r}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export async function unmountOurs(stateDir = STATE_DIR): Promise<number> {
  let n = 0;
  for (let round = 0; round < 5; round++) {
    const points = await ourMounts(stateDir);
    if (points.length === 0) break;
    for (const p of points) {
      const r = await $({ quiet: true, nothrow: true })`umount ${p}`;
      if (r.exitCode !== 0) await $({ quiet: true, nothrow: true })`umount -l ${p}`;
      n++;
    }
  }
  return n;
}

/** iptables rules and ipsets in the machine's own namespace that look like ours: must be none, ever. */
export async function hostNetworkLeaks(): Promise<string[]> {
  const leaks: string[] = [];
  const rules = await $({ quiet: true, nothrow: true })`iptables-save`;
  const ours = rules.stdout.split('\n').filter((l) => /KUBE-|CNI-|KUBE-ROUTER|agentstore/.test(l));
  if (ours.length) leaks.push(`${ours.length} KUBE/CNI iptables lines in the machine's namespace`);
  const links = await $({ quiet: true, nothrow: true })`ip -o link show`;
  for (const l of [NODE_LINK, 'as-cni0'])
    if (links.stdout.includes(`${l}:`)) leaks.push(`link ${l} in the machine's namespace`);
  const addrs = await $({ quiet: true, nothrow: true })`ip -o addr show`;
  if (addrs.stdout.includes(`${NODE_IP}/`)) leaks.push(`address ${NODE_IP} on a machine interface`);
  return leaks;
}
