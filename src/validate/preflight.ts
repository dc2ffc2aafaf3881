/**
 * Preflight of the cluster path: tools and versions, the kind cluster (created or reused), and
 * whether the nodes can hold the stack. Every failure names the numbers and the fix.
 */
import type { Helm, Host, Kube } from './kube.ts';
import { gib } from './quantity.ts';
import { KIND_CLUSTER, KIND_CONFIG } from './target.ts';
import { ValidateFailure } from './types.ts';

/** What values/kind.yaml requests in total (ScyllaDB 1 GiB + Kafka, Connect, Redis, Jobs), with headroom for the node itself. */
const REQUIRED = { cpuMillis: 2000, memoryBytes: 4 * 2 ** 30 };
/** ScyllaDB's linux-aio backend needs this many aio contexts; values/kind.yaml uses io_uring, which does not. */
const AIO_MAX_NR = 1_048_576;

export async function checkHelm(helm: Helm): Promise<string> {
  const r = await helm.run(['version', '--short']);
  if (r.code !== 0) {
    throw new ValidateFailure(
      `helm not usable at ${helm.binary}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`,
      'run `make setup` (installs helm into .tools/bin), or install Helm 3.14+ / 4 (https://helm.sh/docs/intro/install/)',
    );
  }
  return r.stdout.trim();
}

export async function checkCapacity(kube: Kube, required = REQUIRED): Promise<string> {
  const nodes = await kube.nodes();
  const cpu = nodes.reduce((s, n) => s + n.cpuMillis, 0);
  const mem = nodes.reduce((s, n) => s + n.memoryBytes, 0);
  const have = `${nodes.length} node(s) with ${cpu}m CPU and ${gib(mem)} memory allocatable`;
  if (cpu < required.cpuMillis || mem < required.memoryBytes) {
    throw new ValidateFailure(
      `too little capacity: the cluster has ${have}; the stack needs at least ${required.cpuMillis}m CPU and ${gib(required.memoryBytes)}`,
      'give the cluster more: Docker Desktop -> Settings -> Resources (4 CPUs, 6 GiB) for kind, a bigger VM for k3s, or add nodes; then run `make validate` again',
    );
  }
  return have;
}

/** kind: reuse the agentstore cluster if it exists, else create it from the committed config. */
export async function ensureKindCluster(host: Host, onLine: (l: string) => void): Promise<string> {
  const notes: string[] = [];
  const aio = Number((await host.readFile('/proc/sys/fs/aio-max-nr'))?.trim() ?? NaN);
  if (Number.isFinite(aio) && aio < AIO_MAX_NR) {
    notes.push(
      `fs.aio-max-nr is ${aio} (< ${AIO_MAX_NR}): fine with values/kind.yaml (io_uring); for linux-aio run \`sudo sysctl -w fs.aio-max-nr=${AIO_MAX_NR}\``,
    );
  }
  const kind = (await host.which('kind'))!;
  const list = await host.exec(kind, ['get', 'clusters']);
  if (list.stdout.split('\n').includes(KIND_CLUSTER))
    return [`reused kind cluster "${KIND_CLUSTER}"`, ...notes].join('; ');
  onLine(`creating kind cluster "${KIND_CLUSTER}" from ${KIND_CONFIG}`);
  const created = await host.exec(
    kind,
    ['create', 'cluster', '--name', KIND_CLUSTER, '--config', KIND_CONFIG, '--wait', '180s'],
    600_000,
  );
  if (created.code !== 0) {
    throw new ValidateFailure(
      `kind could not create the cluster: ${created.stderr.trim().split('\n').slice(-3).join(' ')}`,
      'check `docker info` (daemon running, enough disk), then `kind delete cluster --name agentstore` and run `make validate` again',
    );
  }
  return [`created kind cluster "${KIND_CLUSTER}"`, ...notes].join('; ');
}
