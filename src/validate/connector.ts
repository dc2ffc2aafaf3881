/**
 * The CDC connector's state from the Kafka Connect REST API, reached through a port-forward to the
 * Connect pod. RUNNING (connector and every task) passes; FAILED ends the run with the trace.
 */
import type { Kube } from './kube.ts';
import { ValidateError } from './types.ts';

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

export type Fetch = (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface ConnectorOptions {
  namespace: string;
  name: string;
  timeoutMs: number;
  pollMs?: number;
  fetch?: Fetch;
  onLine: (line: string) => void;
}

export async function checkConnector(kube: Kube, o: ConnectorOptions): Promise<string> {
  const pod = (await kube.listPods(o.namespace, 'app.kubernetes.io/name=connect')).find((p) => p.ready);
  if (!pod)
    throw new ValidateError(
      'no ready Kafka Connect pod',
      `check \`kubectl -n ${o.namespace} get pods -l app.kubernetes.io/name=connect\` and its logs`,
    );
  const fwd = await kube.portForward(o.namespace, pod.name, 8083);
  const get = o.fetch ?? (fetch as unknown as Fetch);
  const started = Date.now();
  let last = 'no answer';
  try {
    while (Date.now() - started < o.timeoutMs) {
      const res = await get(`http://127.0.0.1:${fwd.localPort}/connectors/${o.name}/status`).catch((e: Error) => ({
        ok: false,
        status: 0,
        json: async () => e.message,
      }));
      if (res.ok) {
        const s = (await res.json()) as ConnectorStatus;
        const failed = [
          s.connector.state === 'FAILED' ? { what: 'connector', trace: s.connector.trace } : null,
          ...s.tasks.filter((t) => t.state === 'FAILED').map((t) => ({ what: `task ${t.id}`, trace: t.trace })),
        ].filter((x) => x !== null);
        if (failed.length) {
          throw new ValidateError(
            `connector ${o.name} FAILED (${failed.map((f) => f.what).join(', ')})`,
            `fix the cause in the trace below, then restart it: \`curl -X POST 'localhost:8083/connectors/${o.name}/restart?includeTasks=true'\` after \`kubectl -n ${o.namespace} port-forward deploy/agentstore-connect 8083\`, and run \`make validate\` again`,
            failed.flatMap((f) => [`--- ${f.what} trace:`, ...(f.trace ?? '(no trace)').split('\n').slice(0, 30)]),
          );
        }
        last = `connector ${s.connector.state}, tasks ${s.tasks.map((t) => t.state).join(',') || 'none'}`;
        o.onLine(last);
        if (s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING'))
          return `${o.name}: ${last}`;
      } else {
        last = `REST API answered ${res.status}`;
        o.onLine(last);
      }
      await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
    }
  } finally {
    fwd.close();
  }
  throw new ValidateError(
    `connector ${o.name} not RUNNING after ${Math.round(o.timeoutMs / 1000)} s (${last})`,
    `read the registration Job's and Connect's logs: \`kubectl -n ${o.namespace} logs deploy/agentstore-connect\``,
  );
}
