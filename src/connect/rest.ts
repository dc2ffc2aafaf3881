/**
 * The Kafka Connect REST API, the calls agentstore makes and nothing else: the worker's health,
 * a connector's config, status and restart, and a plugin's config validation. Every call has a
 * timeout; a refused connection or a timeout is a ConnectHttpError with status 0, so callers decide
 * what is transient in one place (./retry.ts). API reference: docs/connector.md.
 */

/** Connector and task states, as the REST API spells them (AbstractStatus.State in Kafka Connect). */
export type ConnectState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export interface ConnectorStatus {
  name: string;
  connector: { state: ConnectState; worker_id?: string; trace?: string };
  tasks: { id: number; state: ConnectState; worker_id?: string; trace?: string }[];
}

export type ConnectorConfig = Record<string, string>;

/** One field's verdict from PUT /connector-plugins/<class>/config/validate. */
export interface FieldErrors {
  field: string;
  errors: string[];
}

export class ConnectHttpError extends Error {
  override name = 'ConnectHttpError';
  constructor(
    readonly method: string,
    readonly url: string,
    /** The HTTP status, or 0 when no answer came (refused, reset, timed out). */
    readonly status: number,
    /** The worker's own message (its JSON `message`), or the network error. */
    readonly detail: string,
  ) {
    super(`${method} ${url}: ${status === 0 ? 'no answer' : `HTTP ${status}`}: ${detail}`);
  }
}

export interface ConnectClientOptions {
  /** Per request; the worker answers in milliseconds unless a rebalance holds it. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class ConnectClient {
  readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(baseUrl: string, o: ConnectClientOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.fetchFn = o.fetch ?? fetch;
  }

  /** The names of the registered connectors; the worker answers it once it has joined its group. */
  connectors(): Promise<string[]> {
    return this.call<string[]>('GET', '/connectors');
  }

  /** The stored config (with the `name` key Connect adds), or undefined if no such connector. */
  async config(name: string): Promise<ConnectorConfig | undefined> {
    return this.orMissing(this.call<ConnectorConfig>('GET', `${connectorPath(name)}/config`));
  }

  /** Creates or replaces the config; Connect restarts the connector and its tasks with it. */
  async putConfig(name: string, config: ConnectorConfig): Promise<{ created: boolean }> {
    const { status } = await this.request('PUT', `${connectorPath(name)}/config`, config);
    return { created: status === 201 };
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    return this.orMissing(this.call<ConnectorStatus>('GET', `${connectorPath(name)}/status`));
  }

  /** Restarts the connector and its failed tasks only (KIP-745); a running part is left alone. */
  async restartFailed(name: string): Promise<void> {
    await this.request('POST', `${connectorPath(name)}/restart?includeTasks=true&onlyFailed=true`);
  }

  /**
   * What the plugin says of a config before anything is stored: the fields with errors (empty when
   * valid). The connector class's own validate() runs here, e.g. the ScyllaDB connector connects to
   * the cluster, so this is where its transient "Unable to connect" shows up first.
   */
  async validate(name: string, config: ConnectorConfig): Promise<FieldErrors[]> {
    const cls = config['connector.class'];
    if (!cls) throw new Error('connector config has no connector.class');
    // The name is a required property of every connector config; the stored config gets it from the URL.
    const body = await this.call<{ configs: { value: { name: string; errors: string[] } }[] }>(
      'PUT',
      `/connector-plugins/${encodeURIComponent(cls)}/config/validate`,
      { ...config, name },
    );
    return body.configs
      .filter((c) => c.value.errors.length > 0)
      .map((c) => ({ field: c.value.name, errors: c.value.errors }));
  }

  private async orMissing<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ConnectHttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.request(method, path, body)).json as T;
  }

  private async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      throw new ConnectHttpError(method, url, 0, e.cause?.code ?? e.cause?.message ?? e.message);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's error page): keep the text for the message.
    }
    if (!res.ok) {
      const message = (json as { message?: unknown } | undefined)?.message;
      throw new ConnectHttpError(method, url, res.status, typeof message === 'string' ? message : text.slice(0, 500));
    }
    return { status: res.status, json };
  }
}

const connectorPath = (name: string): string => `/connectors/${encodeURIComponent(name)}`;
