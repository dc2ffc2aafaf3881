import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientKube } from '../../src/validate/kube-client.ts';

// The real Kube implementation against a tiny stand-in API server: checks the client-node wiring
// (paths, parameters, how pods, nodes and Jobs are read), not Kubernetes itself.
const routes: Record<string, unknown> = {
  '/version': { major: '1', minor: '33', gitVersion: 'v1.33.1+k3s1' },
  '/api/v1/nodes': {
    kind: 'NodeList',
    apiVersion: 'v1',
    items: [
      {
        metadata: { name: 'n1' },
        status: { allocatable: { cpu: '3500m', memory: '7901Mi' }, nodeInfo: { kubeletVersion: 'v1.33.1+k3s1' } },
      },
      {
        metadata: { name: 'n2' },
        status: { allocatable: { cpu: '2', memory: '8Gi' }, nodeInfo: { kubeletVersion: 'v1.33.1' } },
      },
    ],
  },
  '/api/v1/namespaces/agentstore/pods': {
    kind: 'PodList',
    apiVersion: 'v1',
    items: [
      {
        metadata: { name: 'agentstore-scylladb-0', labels: { 'app.kubernetes.io/name': 'scylladb' } },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [
            {
              name: 'scylladb',
              ready: false,
              restartCount: 3,
              image: 'x',
              imageID: 'x',
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        },
      },
    ],
  },
  '/apis/batch/v1/namespaces/agentstore/jobs/agentstore-seed': {
    kind: 'Job',
    apiVersion: 'batch/v1',
    metadata: { name: 'agentstore-seed' },
    status: { conditions: [{ type: 'Failed', status: 'True' }] },
  },
};
const seen: string[] = [];
let server: Server;
let kube: ClientKube;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    if (url.searchParams.get('watch') === 'true') {
      // One event, then the stream stays open like the API server's.
      res.setHeader('content-type', 'application/json');
      res.write(
        `${JSON.stringify({
          type: 'MODIFIED',
          object: {
            metadata: { name: 'agentstore-scylladb-0', labels: {} },
            status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [] },
          },
        })}\n`,
      );
      return;
    }
    if (url.pathname.endsWith('/log')) {
      res.setHeader('content-type', 'text/plain');
      res.end(`log tail=${url.searchParams.get('tailLines')} container=${url.searchParams.get('container')}\n`);
      return;
    }
    const body = routes[url.pathname];
    res.statusCode = body ? 200 : 404;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u' }],
    contexts: [{ name: 'test-ctx', cluster: 'c', user: 'u' }],
    currentContext: 'test-ctx',
  });
  kube = new ClientKube(kc);
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

describe('ClientKube on @kubernetes/client-node', () => {
  it("reads the context, the version and the nodes' allocatable capacity", async () => {
    expect(kube.currentContext()).toBe('test-ctx');
    expect(await kube.serverVersion()).toBe('v1.33.1+k3s1');
    expect(await kube.nodes()).toEqual([
      { name: 'n1', cpuMillis: 3500, memoryBytes: 7901 * 2 ** 20, kubeletVersion: 'v1.33.1+k3s1' },
      { name: 'n2', cpuMillis: 2000, memoryBytes: 8 * 2 ** 30, kubeletVersion: 'v1.33.1' },
    ]);
  });

  it('maps pods to their readiness and container states, with the label selector passed on', async () => {
    expect(await kube.listPods('agentstore', 'app.kubernetes.io/name=scylladb')).toEqual([
      {
        name: 'agentstore-scylladb-0',
        phase: 'Running',
        ready: false,
        labels: { 'app.kubernetes.io/name': 'scylladb' },
        containers: [{ name: 'scylladb', ready: false, restarts: 3, waitingReason: 'CrashLoopBackOff' }],
      },
    ]);
    expect(seen.some((u) => u.includes('labelSelector=app.kubernetes.io%2Fname%3Dscylladb'))).toBe(true);
  });

  it('watches pods: the listed state first, then each change', async () => {
    const states: boolean[] = [];
    let stop: () => void = () => {};
    await new Promise<void>((resolve) => {
      void kube
        .watchPods('agentstore', (pods) => {
          states.push(pods[0]!.ready);
          if (states.length === 2) resolve();
        })
        .then((s) => {
          stop = s;
        });
    });
    stop();
    expect(states).toEqual([false, true]);
  });

  it('reads the last log lines of a container', async () => {
    expect(await kube.logs('agentstore', 'agentstore-scylladb-0', 'scylladb', 20)).toBe(
      'log tail=20 container=scylladb\n',
    );
  });

  it("reads a Job's state, and a missing Job as null", async () => {
    expect(await kube.jobState('agentstore', 'agentstore-seed')).toEqual({ succeeded: false, failed: true });
    expect(await kube.jobState('agentstore', 'nope')).toBeNull();
  });
});
