// The cluster's processes: each started detached inside the netns with `nsenter --net` (not `ip netns exec`,
// which remounts /sys and leaves kubelet and runc without /sys/fs/cgroup on this cgroup-v1 host), with a pid file
// and a log under .cluster/, and stopped by that pid only after checking its command line is still ours.
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isOurProcess, stopProcess } from '../services/lib.ts';
import { binary } from './build.ts';
import { CONTAINERD_CONFIG, KUBELET_CONFIG, KUBE_PROXY_CONFIG } from './config.ts';
import {
  API_PORT,
  CLUSTER_CIDR,
  CONTAINERD_SOCKET,
  KUBECONFIG,
  NETNS_PATH,
  NODE_IP,
  NODE_NAME,
  SERVICE_CIDR,
  logPath,
  pidPath,
  stateFile,
} from './layout.ts';
import { pki } from './pki.ts';

export interface Daemon {
  name: string;
  cmd: string;
  args: string[];
  /** A string in /proc/<pid>/cmdline proving the pid is still this daemon: a path under our state dir. */
  marker: string;
  stopTimeoutMs: number;
}

const etcdDir = stateFile('etcd');

/** In start order; `down` stops them in reverse. */
export function daemons(): Daemon[] {
  const k = (b: string) => binary('kubernetes', b);
  return [
    {
      name: 'containerd',
      cmd: 'containerd',
      args: ['--config', CONTAINERD_CONFIG],
      marker: CONTAINERD_CONFIG,
      stopTimeoutMs: 20_000,
    },
    {
      name: 'etcd',
      cmd: binary('etcd'),
      args: [
        '--name=sandbox',
        `--data-dir=${etcdDir}`,
        '--listen-client-urls=http://127.0.0.1:2379',
        '--advertise-client-urls=http://127.0.0.1:2379',
        '--listen-peer-urls=http://127.0.0.1:2380',
        '--initial-advertise-peer-urls=http://127.0.0.1:2380',
        '--initial-cluster=sandbox=http://127.0.0.1:2380',
        '--listen-metrics-urls=http://127.0.0.1:2381',
        '--quota-backend-bytes=2147483648',
        '--snapshot-count=10000',
        '--log-level=warn',
      ],
      marker: etcdDir,
      stopTimeoutMs: 20_000,
    },
    {
      name: 'kube-apiserver',
      cmd: k('kube-apiserver'),
      args: [
        '--etcd-servers=http://127.0.0.1:2379',
        `--bind-address=${NODE_IP}`,
        `--advertise-address=${NODE_IP}`,
        `--secure-port=${API_PORT}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--client-ca-file=${pki('ca.crt')}`,
        `--tls-cert-file=${pki('apiserver.crt')}`,
        `--tls-private-key-file=${pki('apiserver.key')}`,
        `--kubelet-client-certificate=${pki('admin.crt')}`,
        `--kubelet-client-key=${pki('admin.key')}`,
        // kubectl logs/exec go to the node's address, not its hostname (which resolves to 127.0.0.1 here).
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki('sa.pub')}`,
        `--service-account-signing-key-file=${pki('sa.key')}`,
        '--authorization-mode=Node,RBAC',
        '--allow-privileged=true',
        '--enable-admission-plugins=NodeRestriction',
        '--profiling=false',
        '--event-ttl=30m',
      ],
      marker: pki('apiserver.crt'),
      stopTimeoutMs: 20_000,
    },
    {
      name: 'kube-controller-manager',
      cmd: k('kube-controller-manager'),
      args: [
        `--kubeconfig=${KUBECONFIG}`,
        `--authentication-kubeconfig=${KUBECONFIG}`,
        `--authorization-kubeconfig=${KUBECONFIG}`,
        '--bind-address=127.0.0.1',
        `--service-account-private-key-file=${pki('sa.key')}`,
        `--root-ca-file=${pki('ca.crt')}`,
        `--cluster-signing-cert-file=${pki('ca.crt')}`,
        `--cluster-signing-key-file=${pki('ca.key')}`,
        '--use-service-account-credentials=true',
        '--allocate-node-cidrs=true',
        `--cluster-cidr=${CLUSTER_CIDR}`,
        '--node-cidr-mask-size=24',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--leader-elect=false',
        '--profiling=false',
      ],
      marker: `--root-ca-file=${pki('ca.crt')}`,
      stopTimeoutMs: 10_000,
    },
    {
      name: 'kube-scheduler',
      cmd: k('kube-scheduler'),
      args: [
        `--kubeconfig=${KUBECONFIG}`,
        `--authentication-kubeconfig=${KUBECONFIG}`,
        `--authorization-kubeconfig=${KUBECONFIG}`,
        '--bind-address=127.0.0.1',
        '--leader-elect=false',
        '--profiling=false',
      ],
      marker: `--authorization-kubeconfig=${KUBECONFIG}`,
      stopTimeoutMs: 10_000,
    },
    {
      name: 'kubelet',
      cmd: k('kubelet'),
      args: [
        `--config=${KUBELET_CONFIG}`,
        `--kubeconfig=${stateFile('kubelet.kubeconfig')}`,
        `--root-dir=${stateFile('kubelet')}`,
        `--cert-dir=${stateFile('kubelet', 'pki')}`,
        `--hostname-override=${NODE_NAME}`,
        `--node-ip=${NODE_IP}`,
        '--v=1',
      ],
      marker: KUBELET_CONFIG,
      stopTimeoutMs: 15_000,
    },
    {
      name: 'kube-proxy',
      cmd: k('kube-proxy'),
      args: [`--config=${KUBE_PROXY_CONFIG}`],
      marker: KUBE_PROXY_CONFIG,
      stopTimeoutMs: 10_000,
    },
  ];
}

/** kube-router's NetworkPolicy controller only (no routing, no service proxy): iptables + ipset in the netns. */
export function policyDaemon(): Daemon {
  return {
    name: 'kube-router',
    cmd: binary('kube-router'),
    args: [
      `--kubeconfig=${KUBECONFIG}`,
      '--run-firewall=true',
      '--run-router=false',
      '--run-service-proxy=false',
      '--enable-cni=false',
      `--hostname-override=${NODE_NAME}`,
      '--health-port=20244',
      '--metrics-port=0',
      '--v=1',
    ],
    marker: `--hostname-override=${NODE_NAME}`,
    stopTimeoutMs: 15_000,
  };
}

export async function readPid(d: Daemon): Promise<number | undefined> {
  const text = await readFile(pidPath(d.name), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The daemon's pid if it runs and is ours; a stale pid file is removed. */
export async function livePid(d: Daemon): Promise<number | undefined> {
  const pid = await readPid(d);
  if (pid === undefined) return undefined;
  if (isOurProcess(pid, d.marker)) return pid;
  await rm(pidPath(d.name), { force: true });
  return undefined;
}

export async function startDaemon(d: Daemon): Promise<number> {
  await mkdir(path.dirname(logPath(d.name)), { recursive: true });
  await mkdir(path.dirname(pidPath(d.name)), { recursive: true });
  const fd = openSync(logPath(d.name), 'a');
  try {
    writeSync(fd, `\n===== ${new Date().toISOString()} starting ${d.name}\n`);
    const child = spawn('nsenter', [`--net=${NETNS_PATH}`, '--', d.cmd, ...d.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, CONTAINERD_ADDRESS: CONTAINERD_SOCKET },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid ? resolve(child.pid) : reject(new Error(`no pid for ${d.name}`))));
    });
    child.unref();
    await writeFile(pidPath(d.name), `${pid}\n`);
    return pid;
  } finally {
    closeSync(fd);
  }
}

export async function stopDaemon(d: Daemon): Promise<string> {
  const pid = await livePid(d);
  if (pid === undefined) return `${d.name} not running`;
  const how = await stopProcess(pid, d.marker, 'SIGTERM', d.stopTimeoutMs);
  await rm(pidPath(d.name), { force: true });
  return `${d.name} (pid ${pid}) ${how}`;
}

export async function logTail(name: string, lines = 25): Promise<string> {
  const text = await readFile(logPath(name), 'utf8').catch(() => '');
  return `--- last ${lines} lines of ${logPath(name)} ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
}
