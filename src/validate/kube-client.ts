/**
 * The real Kube on @kubernetes/client-node (1.x: Node 20): list/watch pods, logs, port-forward,
 * node capacity and Jobs, through the library rather than kubectl, so nothing else needs installing
 * and errors arrive as objects we can name in a message.
 */
import { createServer, type AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { bytes, cpuMillis } from './quantity.ts';
import type { JobState, Kube, NodeCapacity, PodState, PortForward } from './kube.ts';

function podState(p: k8s.V1Pod): PodState {
  const statuses = p.status?.containerStatuses ?? [];
  return {
    name: p.metadata?.name ?? '?',
    phase: p.status?.phase ?? 'Unknown',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    labels: p.metadata?.labels ?? {},
    ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    containers: statuses.map((s) => ({
      name: s.name,
      ready: s.ready,
      restarts: s.restartCount,
      ...(s.state?.waiting?.reason ? { waitingReason: s.state.waiting.reason } : {}),
      ...(s.state?.terminated ? { exitCode: s.state.terminated.exitCode } : {}),
    })),
  };
}

export class ClientKube implements Kube {
  private readonly core: k8s.CoreV1Api;
  private readonly batch: k8s.BatchV1Api;

  constructor(private readonly kc: k8s.KubeConfig) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
  }

  /** From $KUBECONFIG or ~/.kube/config; an optional context overrides the current one. */
  static fromDefault(context?: string): ClientKube {
    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    if (context) kc.setCurrentContext(context);
    return new ClientKube(kc);
  }

  currentContext(): string | null {
    const name = this.kc.getCurrentContext();
    return name && this.kc.getContextObject(name) ? name : null;
  }

  async serverVersion(): Promise<string> {
    const v = await this.kc.makeApiClient(k8s.VersionApi).getCode();
    return v.gitVersion;
  }

  async nodes(): Promise<NodeCapacity[]> {
    const list = await this.core.listNode();
    return list.items.map((n) => {
      const a = n.status?.allocatable ?? {};
      return {
        name: n.metadata?.name ?? '?',
        cpuMillis: cpuMillis(a['cpu']),
        memoryBytes: bytes(a['memory']),
        kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
      };
    });
  }

  async listPods(namespace: string, labelSelector?: string): Promise<PodState[]> {
    const list = await this.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) });
    return list.items.map(podState);
  }

  async watchPods(namespace: string, onChange: (pods: PodState[]) => void): Promise<() => void> {
    const pods = new Map<string, PodState>();
    for (const p of await this.listPods(namespace)) pods.set(p.name, p);
    onChange([...pods.values()]);
    const watch = new k8s.Watch(this.kc);
    let stopped = false;
    let abort: AbortController | undefined;
    const start = async (): Promise<void> => {
      abort = await watch.watch(
        `/api/v1/namespaces/${namespace}/pods`,
        {},
        (phase, obj: k8s.V1Pod) => {
          const s = podState(obj);
          if (phase === 'DELETED') pods.delete(s.name);
          else pods.set(s.name, s);
          onChange([...pods.values()]);
        },
        () => {
          // The API server ends watches after a while: resume until told to stop.
          if (!stopped) setTimeout(() => void start().catch(() => {}), 1000);
        },
      );
    };
    await start();
    return () => {
      stopped = true;
      abort?.abort();
    };
  }

  logs(namespace: string, pod: string, container?: string, tailLines = 40): Promise<string> {
    return this.core.readNamespacedPodLog({ name: pod, namespace, tailLines, ...(container ? { container } : {}) });
  }

  /** A local TCP server whose every connection is forwarded to the pod's port (like kubectl port-forward). */
  async portForward(namespace: string, pod: string, port: number): Promise<PortForward> {
    const forward = new k8s.PortForward(this.kc);
    const server = createServer((socket) => {
      void forward.portForward(namespace, pod, [port], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { localPort: (server.address() as AddressInfo).port, close: () => server.close() };
  }

  async createJob(namespace: string, manifest: Record<string, unknown>): Promise<void> {
    const name = (manifest['metadata'] as { name: string }).name;
    // Jobs are immutable: replace a previous run's Job (and its pods) before creating it again.
    await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Foreground' }).catch(() => undefined);
    for (let i = 0; i < 60 && (await this.jobState(namespace, name)); i++)
      await new Promise((r) => setTimeout(r, 1000));
    await this.batch.createNamespacedJob({ namespace, body: manifest as k8s.V1Job });
  }

  async jobState(namespace: string, name: string): Promise<JobState | null> {
    try {
      const job = await this.batch.readNamespacedJob({ name, namespace });
      return {
        succeeded: (job.status?.succeeded ?? 0) > 0,
        failed: (job.status?.conditions ?? []).some((c) => c.type === 'Failed' && c.status === 'True'),
      };
    } catch {
      return null;
    }
  }

  async events(namespace: string, name: string): Promise<string[]> {
    const list = await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
    return list.items
      .sort((a, b) =>
        String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')),
      )
      .map((e) =>
        `${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`.trim(),
      );
  }

  async createPod(namespace: string, manifest: Record<string, unknown>): Promise<void> {
    await this.core.createNamespacedPod({ namespace, body: manifest as k8s.V1Pod });
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ name, namespace });
  }
}
