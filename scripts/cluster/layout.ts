// Where the sandbox cluster keeps its files and which addresses it uses. Every address below exists only inside
// the network namespace NETNS that `up` creates: nothing is ever put on the machine's own interfaces.
import path from 'node:path';
import { CACHE_DIR, REPO_ROOT } from '../services/lib.ts';

/** Built binaries and images, keyed by version: shared by every checkout and by CI on the same machine. */
export const CLUSTER_CACHE = path.join(CACHE_DIR, 'cluster');
export const BIN_CACHE = path.join(CLUSTER_CACHE, 'bin');
export const IMAGE_CACHE = path.join(CLUSTER_CACHE, 'images');
export const BUILD_DIR = path.join(CLUSTER_CACHE, 'build');

/** Per checkout and git-ignored: certificates, kubeconfig, etcd, containerd's images, kubelet, volumes, logs. */
export const STATE_DIR = path.join(REPO_ROOT, '.cluster');
export const KUBECONFIG = path.join(STATE_DIR, 'kubeconfig');
/** Sockets and containerd's runtime state: short paths (a socket path has a 108-byte limit), cleared at reboot. */
export const RUN_DIR = '/run/agentstore-cluster';
export const CONTAINERD_SOCKET = path.join(RUN_DIR, 'containerd.sock');

export const NETNS = 'agentstore-k8s';
export const NETNS_PATH = `/run/netns/${NETNS}`;
/** An empty bridge inside the netns that carries the node's address (the kernel has no `dummy` links). */
export const NODE_LINK = 'as-node0';
/** The pod bridge the CNI bridge plugin creates, also inside the netns. */
export const POD_BRIDGE = 'as-cni0';
export const NODE_NAME = 'agentstore-sandbox';
export const NODE_IP = '10.255.255.1';
export const CLUSTER_CIDR = '10.244.0.0/16';
export const POD_CIDR = '10.244.0.0/24';
export const SERVICE_CIDR = '10.96.0.0/12';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const DNS_SERVICE_IP = '10.96.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
export const API_PORT = 6443;
export const API_URL = `https://${NODE_IP}:${API_PORT}`;

/**
 * cgroup parent of every pod, created by `up` in each v1 hierarchy and removed by `down`: a name of our own, so
 * teardown never touches another tenant's cgroups.
 */
export const CGROUP_ROOT = 'agentstore-sandbox';

/**
 * Machine-wide kernel settings kubelet changes (it has no switch to leave them alone): recorded before the first
 * start, restored by `down`. Per-netns settings (ip_forward, bridge netfilter) vanish with the netns.
 */
export const GLOBAL_SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
];

export const stateFile = (...parts: string[]): string => path.join(STATE_DIR, ...parts);
export const logPath = (daemon: string): string => path.join(STATE_DIR, 'logs', `${daemon}.log`);
export const pidPath = (daemon: string): string => path.join(STATE_DIR, 'pids', `${daemon}.pid`);
