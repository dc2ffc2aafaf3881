import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A probe's answer: 200 with `text` when ok, else 503 with the reason. */
interface ProbeAnswer {
  ok: boolean;
  text: string;
}

export interface Probes {
  registry: Registry;
  /** /healthz: the process works (a liveness probe restarts the pod when it does not). */
  healthz: () => ProbeAnswer;
  /** /readyz: what the component exists for is working (a readiness probe, an alert). */
  readyz: () => ProbeAnswer;
}

/**
 * Serves /metrics (Prometheus text), /healthz and /readyz, the endpoints an orchestrator and a
 * scraper use for every long-running agentstore process; port 0 picks a free port (tests).
 */
export async function serveProbes(port: number, probes: Probes): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      probes.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': probes.registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
      return;
    }
    const probe = path === '/healthz' ? probes.healthz : path === '/readyz' ? probes.readyz : undefined;
    if (!probe) {
      res.writeHead(404).end();
      return;
    }
    const { ok, text } = probe();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${text}\n`);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
