import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ENV, envNote, readEnv } from '../../config/env.ts';
import { intFlag, UsageError } from '../../config/settings.ts';
import { health, traces } from '../../connect/health.ts';
import { ConnectorError, registerConnector } from '../../connect/register.ts';
import { ConnectClient, type ConnectorConfig } from '../../connect/rest.ts';
import { ConnectorSupervisor } from '../../connect/supervise.ts';
import { jsonLogger } from '../../log/log.ts';
import { serveProbes } from '../../util/probe-server.ts';

/**
 * `agentstore connector register|status|supervise`: the CDC connector on Kafka Connect, as the
 * chart's registration Job, test pod and supervisor Deployment run it (src/connect/).
 */
interface ConnectFlags {
  connectUrl?: string;
  name?: string;
}

/** Per REST request; also how late a check may be before /healthz calls the supervisor stuck. */
const REQUEST_TIMEOUT_MS = 30_000;

function withConnectOptions(cmd: Command): Command {
  return cmd
    .option('--connect-url <url>', `Kafka Connect REST API (${envNote(ENV.connectUrl)})`)
    .option('--name <connector>', `connector name (${envNote(ENV.connectorName)}; required)`);
}

function connectFrom(f: ConnectFlags, env = process.env): { client: ConnectClient; name: string } {
  const url = f.connectUrl ?? readEnv(env, ENV.connectUrl) ?? ENV.connectUrl.default;
  if (!/^https?:\/\/[^/\s]+/.test(url))
    throw new UsageError(
      `--connect-url / AGENTSTORE_CONNECT_URL: "${url}" is not an http(s) URL (e.g. http://connect:8083)`,
    );
  const name = f.name ?? readEnv(env, ENV.connectorName);
  if (!name) throw new UsageError('--name / AGENTSTORE_CONNECTOR_NAME: name the connector (the chart: connector.name)');
  return { client: new ConnectClient(url, { timeoutMs: REQUEST_TIMEOUT_MS }), name };
}

/** The config to register: JSON of string values (numbers and booleans are written as Connect stores them). */
function parseConfig(text: string, source: string): ConnectorConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source}: not JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UsageError(`${source}: must be a JSON object of connector properties`);
  const config: ConnectorConfig = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v === null || typeof v === 'object')
      throw new UsageError(`${source}: property "${k}" must be a string, number or boolean`);
    config[k] = String(v);
  }
  if (!config['connector.class']) throw new UsageError(`${source}: connector.class is missing`);
  return config;
}

/** `--secret-from-env scylla.password=AGENTSTORE_CQL_PASSWORD`: a property whose value stays out of the command line and the chart's values. */
function secretsFromEnv(specs: string[], env = process.env): ConnectorConfig {
  const out: ConnectorConfig = {};
  for (const spec of specs) {
    const m = /^([^=\s]+)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(spec);
    if (!m) throw new UsageError(`--secret-from-env "${spec}": write <property>=<ENV_VARIABLE>`);
    const value = env[m[2]!];
    if (!value) throw new UsageError(`--secret-from-env ${spec}: ${m[2]} is not set`);
    out[m[1]!] = value;
  }
  return out;
}

/** Prints a ConnectorError as cause, fix and details and exits 1; anything else goes to the CLI's handler. */
async function reporting(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err;
    console.error(`error: ${err.message}`);
    for (const line of err.details) console.error(`  ${line}`);
    console.error(`fix: ${err.fix}`);
    process.exitCode = 1;
  }
}

function registerCommand(): Command {
  return withConnectOptions(new Command('register'))
    .description(
      'validate the config with the plugin, write it only if it differs from the stored one, and wait until the connector and its tasks are RUNNING (restarting failed parts with backoff); transient errors are retried until --timeout',
    )
    .option('--config <json>', 'connector properties as a JSON object (env AGENTSTORE_CONNECTOR_CONFIG)')
    .option('--config-file <path>', 'read the JSON config from a file instead')
    .option(
      '--secret-from-env <property=ENV>',
      'set a property from an environment variable, e.g. scylla.password=AGENTSTORE_CQL_PASSWORD (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--timeout <seconds>', 'deadline for the whole registration, waits and retries included', '600')
    .action(
      async (opts: ConnectFlags & { config?: string; configFile?: string; secretFromEnv: string[]; timeout: string }) =>
        reporting(async () => {
          const { client, name } = connectFrom(opts);
          const timeoutMs = intFlag('--timeout', opts.timeout, 1, 86_400) * 1000;
          const text = opts.configFile
            ? readFileSync(opts.configFile, 'utf8')
            : (opts.config ?? readEnv(process.env, ENV.connectorConfig));
          if (!text)
            throw new UsageError('give the connector config: --config, --config-file or AGENTSTORE_CONNECTOR_CONFIG');
          const source = opts.configFile ?? (opts.config ? '--config' : 'AGENTSTORE_CONNECTOR_CONFIG');
          const config = { ...parseConfig(text, source), ...secretsFromEnv(opts.secretFromEnv) };
          const started = Date.now();
          const r = await registerConnector(client, {
            name,
            config,
            deadline: started + timeoutMs,
            log: (line) => console.log(line),
          });
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          console.log(
            `connector ${name}: ${r.outcome}, ${r.health.summary}${r.restarts ? `, ${r.restarts} restart(s)` : ''} (${secs} s)`,
          );
        }),
    );
}

function statusCommand(): Command {
  return withConnectOptions(new Command('status'))
    .description(
      'print the connector state; exit 0 when the connector and every task are RUNNING, else 1 with the traces',
    )
    .action(async (opts: ConnectFlags) =>
      reporting(async () => {
        const { client, name } = connectFrom(opts);
        let h;
        try {
          h = health(await client.status(name));
        } catch (err) {
          throw new ConnectorError(
            (err as Error).message,
            'check that Kafka Connect is running and reachable at --connect-url',
          );
        }
        if (!h.up)
          throw new ConnectorError(
            `connector ${name}: ${h.summary}`,
            h.state === 'MISSING'
              ? 'register it: `agentstore connector register` (the chart: the registration Job, connector.register)'
              : 'read the traces; the supervisor restarts failed parts with backoff (its log, /metrics agentstore_connector_*)',
            traces(h),
          );
        console.log(`connector ${name}: ${h.summary}`);
      }),
    );
}

function superviseCommand(): Command {
  return withConnectOptions(new Command('supervise'))
    .description(
      'watch the connector: restart failed parts with backoff, serve /metrics (agentstore_connector_*), /healthz and /readyz (200 only while the connector and every task are RUNNING); runs until SIGTERM',
    )
    .option('--interval <seconds>', 'between status checks', '15')
    .option('--max-backoff <seconds>', 'longest wait between restarts of a connector that keeps failing', '300')
    .option('--metrics-port <port>', 'port of /metrics, /healthz, /readyz (env AGENTSTORE_METRICS_PORT)', undefined)
    .action(async (opts: ConnectFlags & { interval: string; maxBackoff: string; metricsPort?: string }) => {
      const { client, name } = connectFrom(opts);
      const intervalMs = intFlag('--interval', opts.interval, 1, 3600) * 1000;
      const maxMs = intFlag('--max-backoff', opts.maxBackoff, 1, 86_400) * 1000;
      const port = intFlag(
        '--metrics-port',
        opts.metricsPort ?? readEnv(process.env, ENV.metricsPort) ?? ENV.metricsPort.default,
        0,
        65_535,
      );
      const log = jsonLogger({ component: 'connector-supervisor', connector: name });
      const supervisor = new ConnectorSupervisor(client, {
        name,
        intervalMs,
        backoff: { initialMs: Math.min(intervalMs, maxMs), maxMs, factor: 2 },
        log: (level, msg, fields) => log.log(level, msg, fields),
      });
      const { server, port: bound } = await serveProbes(port, {
        registry: supervisor.metrics.registry,
        healthz: () => {
          const ok = supervisor.alive(Date.now(), REQUEST_TIMEOUT_MS);
          return { ok, text: ok ? 'ok' : 'status checks stopped' };
        },
        readyz: () => ({ ok: supervisor.last.up, text: `connector ${name}: ${supervisor.last.summary}` }),
      });
      log.log('info', 'supervising', { connectUrl: client.base, intervalS: intervalMs / 1000, metricsPort: bound });
      const stop = () => {
        supervisor.stop();
        server.close();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await supervisor.run();
      // A sleep between checks may still be pending: exit now rather than after it.
      process.exit(0);
    });
}

export function connectorCommand(): Command {
  return new Command('connector')
    .description('the CDC connector on Kafka Connect: register, status, supervise')
    .addCommand(registerCommand())
    .addCommand(statusCommand())
    .addCommand(superviseCommand());
}
