/**
 * Target selection, in the order: an existing reachable kube context, else kind (docker and
 * kind installed and docker answering), else the sandbox cluster (scripts/cluster: root on Linux with
 * overlayfs and cgroups), else local mode. VALIDATE_TARGET=cluster|kind|sandbox|local forces one; a
 * forced target that is not available is an error that names the missing piece.
 */
import type { Host, Kube } from './kube.ts';
import { ValidateFailure, type Target, type TargetKind } from './types.ts';

export const KIND_CLUSTER = 'agentstore';
export const KIND_CONFIG = 'scripts/kind/cluster.yaml';

export interface TargetDeps {
  /** null when no kubeconfig could be loaded */
  kube: () => Kube | null;
  host: Host;
  forced?: string | undefined;
  timeoutMs?: number;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms).unref(),
    ),
  ]);

async function probeCluster(d: TargetDeps, reasons: string[]): Promise<Target | null> {
  const kube = d.kube();
  const context = kube?.currentContext();
  if (!kube || !context) {
    reasons.push('no current kube context (no kubeconfig, or no current-context in it)');
    return null;
  }
  try {
    const version = await withTimeout(kube.serverVersion(), d.timeoutMs ?? 5000, `kube context ${context}`);
    const nodes = await kube.nodes();
    const k3s = nodes.some((n) => n.kubeletVersion.includes('k3s'));
    reasons.push(`kube context "${context}" reachable (Kubernetes ${version}${k3s ? ', k3s detected' : ''})`);
    return { kind: 'cluster', context, valuesFile: k3s ? 'values/k3s.yaml' : 'values/kind.yaml', reasons };
  } catch (err) {
    reasons.push(`kube context "${context}" not reachable: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}

async function probeKind(d: TargetDeps, reasons: string[]): Promise<Target | null> {
  const [docker, kind] = await Promise.all([d.host.which('docker'), d.host.which('kind')]);
  if (!docker || !kind) {
    reasons.push(
      `kind not usable: ${[!docker && 'docker', !kind && 'kind'].filter(Boolean).join(' and ')} not installed`,
    );
    return null;
  }
  const info = await d.host.exec(docker, ['info', '--format', '{{.ServerVersion}}']);
  if (info.code !== 0) {
    reasons.push(
      `kind not usable: docker is installed but its daemon does not answer (${info.stderr.trim().split('\n')[0]})`,
    );
    return null;
  }
  reasons.push(`docker ${info.stdout.trim()} and kind found: cluster "${KIND_CLUSTER}" from ${KIND_CONFIG}`);
  return { kind: 'kind', context: `kind-${KIND_CLUSTER}`, valuesFile: 'values/kind.yaml', reasons };
}

export const SANDBOX_CONTEXT = 'agentstore-sandbox';
export const SANDBOX_VALUES = 'values/sandbox.yaml';

/** The sandbox needs root on Linux, overlayfs and the cgroup v1 controllers kubelet uses (scripts/cluster/host.ts checks the rest). */
async function probeSandbox(d: TargetDeps, reasons: string[]): Promise<Target | null> {
  const missing: string[] = [];
  if (d.host.platform() !== 'linux') missing.push('Linux');
  if (d.host.uid() !== 0) missing.push('root');
  if (!/\boverlay\b/.test((await d.host.readFile('/proc/filesystems')) ?? '')) missing.push('overlayfs');
  if ((await d.host.readFile('/sys/fs/cgroup/memory/memory.limit_in_bytes')) === null)
    missing.push('cgroup v1 memory controller');
  if (missing.length) {
    reasons.push(`sandbox cluster not usable: needs ${missing.join(', ')}`);
    return null;
  }
  reasons.push('root on Linux with overlayfs and cgroup v1: the sandbox cluster (scripts/cluster) can run here');
  return { kind: 'sandbox', context: SANDBOX_CONTEXT, valuesFile: SANDBOX_VALUES, reasons };
}

export async function selectTarget(d: TargetDeps): Promise<Target> {
  const forced = d.forced?.trim() as TargetKind | undefined;
  if (forced && !['cluster', 'kind', 'sandbox', 'local'].includes(forced)) {
    throw new ValidateFailure(
      `VALIDATE_TARGET="${d.forced}" is not a target`,
      'set VALIDATE_TARGET to cluster, kind, sandbox or local, or unset it to choose automatically',
      [],
      2,
    );
  }
  const reasons: string[] = forced ? [`VALIDATE_TARGET=${forced}`] : [];
  if (forced === 'local') return { kind: 'local', reasons };
  if (forced === 'sandbox') {
    const t = await probeSandbox(d, reasons);
    if (t) return t;
    throw new ValidateFailure(
      reasons.at(-1)!,
      'run as root on a Linux machine with overlayfs and cgroup v1 (`sudo make validate`), or choose another VALIDATE_TARGET',
    );
  }
  if (!forced || forced === 'cluster') {
    const t = await probeCluster(d, reasons);
    if (t) return t;
    if (forced) {
      throw new ValidateFailure(
        `no reachable cluster: ${reasons.at(-1)}`,
        'check the context with `kubectl cluster-info` (or fix KUBECONFIG), or run `VALIDATE_TARGET=local make validate`',
      );
    }
  }
  const t = await probeKind(d, reasons);
  if (t) return t;
  if (forced !== 'kind') {
    const s = await probeSandbox(d, reasons);
    if (s) return s;
  }
  if (forced === 'kind') {
    throw new ValidateFailure(
      reasons.at(-1)!,
      'install docker (https://docs.docker.com/engine/install/) and kind (`go install sigs.k8s.io/kind@v0.29.0`, or https://kind.sigs.k8s.io/docs/user/quick-start/#installation), then run `make validate` again',
    );
  }
  reasons.push('falling back to local mode on the services from `make services-up`');
  return { kind: 'local', reasons };
}
