import { Command } from 'commander';
import { intFlag, UsageError } from '../../config/settings.ts';
import { waitForTcp } from '../../util/wait-tcp.ts';

/** `host:port`, also `[v6]:port`; the port is required (there is no protocol to default it from). */
export function parseAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not host:port (e.g. scylladb-client:9042)`);
  return { host: (m[1] ?? m[2])!, port: intFlag(`port of ${text}`, m[3]!, 1, 65_535) };
}

/**
 * `agentstore wait tcp <host:port>...`: what a Job runs before a client that would fail fast, e.g.
 * the migration waiting for ScyllaDB's CQL port. Progress every try; exit 1 naming the address that
 * is still closed at the deadline.
 */
function tcpCommand(): Command {
  return new Command('tcp')
    .description('wait until every host:port accepts a TCP connection; exit 1 at the deadline')
    .argument('<addresses...>', 'host:port, several allowed; a comma-separated list counts as several')
    .option('--timeout <seconds>', 'deadline for all of them', '600')
    .option('--interval <seconds>', 'between tries', '5')
    .action(async (addresses: string[], opts: { timeout: string; interval: string }) => {
      const targets = addresses
        .flatMap((a) => a.split(','))
        .filter(Boolean)
        .map(parseAddress);
      const timeoutS = intFlag('--timeout', opts.timeout, 1, 86_400);
      const intervalMs = intFlag('--interval', opts.interval, 1, 3600) * 1000;
      const started = Date.now();
      const deadline = started + timeoutS * 1000;
      try {
        for (const t of targets) {
          console.log(`waiting for ${t.host}:${t.port} (up to ${timeoutS} s)`);
          await waitForTcp(t.host, t.port, {
            deadline,
            intervalMs,
            onWait: (address, error, attempt) =>
              console.log(`${address}: ${error} (try ${attempt}, ${Math.round((Date.now() - started) / 1000)} s)`),
          });
          console.log(`${t.host}:${t.port} accepts connections`);
        }
      } catch (err) {
        console.error(`error: ${(err as Error).message}`);
        console.error('fix: check that the server is running and that its Service name and port are right');
        process.exitCode = 1;
      }
    });
}

export function waitCommand(): Command {
  return new Command('wait').description('wait for a dependency before starting work').addCommand(tcpCommand());
}
