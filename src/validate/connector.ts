/**
 * The CDC connector's state from the Kafka Connect REST API, reached through a port-forward to the
 * Connect pod: the same client and verdict as `agentstore connector status` (src/connect/).
 * RUNNING (connector and every task) passes; FAILED ends the run with the trace.
 */
import { health, traces } from '../connect/health.ts';
import { ConnectClient } from '../connect/rest.ts';
import { describe } from '../connect/retry.ts';
import type { Kube } from './kube.ts';
import { ValidateFailure } from './types.ts';

export type Fetch = typeof fetch;

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
    throw new ValidateFailure(
      'no ready Kafka Connect pod',
      `check \`kubectl -n ${o.namespace} get pods -l app.kubernetes.io/name=connect\` and its logs`,
    );
  const fwd = await kube.portForward(o.namespace, pod.name, 8083);
  const client = new ConnectClient(`http://127.0.0.1:${fwd.localPort}`, o.fetch ? { fetch: o.fetch } : {});
  const started = Date.now();
  let last = 'no answer';
  try {
    while (Date.now() - started < o.timeoutMs) {
      const h = await client.status(o.name).then(health, (err: unknown) => describe(err));
      if (typeof h === 'string') {
        last = h;
      } else {
        if (h.failed.length) {
          throw new ValidateFailure(
            `connector ${o.name} FAILED (${h.failed.map((f) => f.what).join(', ')})`,
            `fix the cause in the trace below; the supervisor (deploy/<release>-connector-supervisor) restarts failed parts with backoff, or restart them now: \`agentstore connector register\` again, or \`curl -X POST 'localhost:8083/connectors/${o.name}/restart?includeTasks=true&onlyFailed=true'\` after \`kubectl -n ${o.namespace} port-forward ${pod.name} 8083\`, and run \`make validate\` again`,
            traces(h, 30),
          );
        }
        last = h.summary;
        if (h.up) return `${o.name}: ${last}`;
      }
      o.onLine(last);
      await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
    }
  } finally {
    fwd.close();
  }
  throw new ValidateFailure(
    `connector ${o.name} not RUNNING after ${Math.round(o.timeoutMs / 1000)} s (${last})`,
    `read the registration Job's and Connect's logs: \`kubectl -n ${o.namespace} logs ${pod.name}\``,
  );
}
