/**
 * A stand-in for the Kafka Connect REST API, for what cannot run here: the ScyllaDB connector's own
 * validation (it connects to ScyllaDB) and its failures. It keeps connectors in memory the way a
 * worker does (a PUT stores the config and restarts the connector), records every request, and lets
 * a test script the answers of the next calls. Everything else runs against a real worker
 * (test/support/connect.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectState, ConnectorConfig } from '../../src/connect/rest.ts';

export interface StubAnswer {
  status: number;
  body: unknown;
}

interface StubConnector {
  config: ConnectorConfig;
  state: ConnectState;
  tasks: ConnectState[];
  /** Bumped by every PUT and restart, as the worker restarts the connector. */
  starts: number;
}

export class ConnectStub {
  readonly requests: { method: string; path: string; body: unknown }[] = [];
  readonly connectors = new Map<string, StubConnector>();
  /** Answers to hand out before the normal behaviour, per "METHOD /path-prefix". */
  readonly scripted = new Map<string, StubAnswer[]>();
  /** What the plugin's validate() says of a config: field -> errors. */
  validateFields: (config: ConnectorConfig) => Record<string, string[]> = () => ({});
  /** The state a connector's tasks reach after a (re)start. */
  afterStart: (c: StubConnector) => ConnectState = () => 'RUNNING';
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = raw ? JSON.parse(raw) : undefined;
        const path = req.url ?? '/';
        const method = req.method ?? 'GET';
        this.requests.push({ method, path, body });
        const a = this.answer(method, path, body);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** Queues answers for the next calls whose "METHOD path" starts with `key`. */
  script(key: string, ...answers: StubAnswer[]): void {
    this.scripted.set(key, [...(this.scripted.get(key) ?? []), ...answers]);
  }

  calls(method: string, pathPart: string): number {
    return this.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;
  }

  private answer(method: string, path: string, body: unknown): StubAnswer {
    for (const [key, queue] of this.scripted) {
      if (`${method} ${path}`.startsWith(key) && queue.length) return queue.shift()!;
    }
    const err = (status: number, message: string) => ({ status, body: { error_code: status, message } });
    if (method === 'GET' && path === '/connectors') return { status: 200, body: [...this.connectors.keys()] };
    const plugin = /^\/connector-plugins\/([^/]+)\/config\/validate$/.exec(path);
    if (plugin && method === 'PUT') {
      const fields = this.validateFields(body as ConnectorConfig);
      const configs = Object.entries(body as ConnectorConfig).map(([name, value]) => ({
        definition: { name },
        value: { name, value, errors: fields[name] ?? [] },
      }));
      for (const [name, errors] of Object.entries(fields))
        if (!(name in (body as object))) configs.push({ definition: { name }, value: { name, value: '', errors } });
      const count = Object.values(fields).reduce((n, e) => n + e.length, 0);
      return { status: 200, body: { name: decodeURIComponent(plugin[1]!), error_count: count, groups: [], configs } };
    }
    const m = /^\/connectors\/([^/?]+)(\/[a-z]+)?(\?.*)?$/.exec(path);
    if (!m) return err(404, `no route ${method} ${path}`);
    const name = decodeURIComponent(m[1]!);
    const c = this.connectors.get(name);
    const sub = m[2] ?? '';
    if (method === 'PUT' && sub === '/config') {
      const config = { ...(body as ConnectorConfig), name };
      const created = !c;
      const next: StubConnector = { config, state: 'RUNNING', tasks: [], starts: (c?.starts ?? 0) + 1 };
      next.tasks = [this.afterStart(next)];
      this.connectors.set(name, next);
      return { status: created ? 201 : 200, body: { name, config, tasks: [], type: 'source' } };
    }
    if (!c) return err(404, `Connector ${name} not found`);
    if (method === 'GET' && sub === '/config') return { status: 200, body: c.config };
    if (method === 'GET' && sub === '/status')
      return {
        status: 200,
        body: {
          name,
          connector: { state: c.state, worker_id: 'stub:8083' },
          tasks: c.tasks.map((state, id) => ({
            id,
            state,
            worker_id: 'stub:8083',
            ...(state === 'FAILED' ? { trace: 'org.apache.kafka.connect.errors.ConnectException: boom\n\tat x' } : {}),
          })),
          type: 'source',
        },
      };
    if (method === 'POST' && sub === '/restart') {
      c.starts++;
      c.tasks = c.tasks.map((t) => (t === 'FAILED' ? this.afterStart(c) : t));
      return { status: 202, body: {} };
    }
    return err(405, `${method} ${path}`);
  }
}

/** The connector's answer while ScyllaDB is not reachable yet (scylla-cdc-source-connector#212). */
export const SCYLLA_UNREACHABLE =
  "Unable to connect to Scylla cluster: Can't use this cluster instance because it was previously closed";

export const putRefusedTransiently: StubAnswer = {
  status: 400,
  body: {
    error_code: 400,
    message: `Connector configuration is invalid and contains the following 1 error(s):\n${SCYLLA_UNREACHABLE}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``,
  },
};

/** A clock that never waits: sleeps advance it and are recorded. */
export function fakeClock(start = 1_000_000): { now(): number; sleep(ms: number): Promise<void>; sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}
