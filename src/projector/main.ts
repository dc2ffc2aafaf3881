import { UsageError } from '../config/settings.ts';
import { readSideConfig } from '../config/read-side.ts';
import { jsonLogger } from '../log/log.ts';
import { runProjector } from './run.ts';

/**
 * The projector process, run as `agentstore project` (one entry point: inside the chart's single-file
 * bundle a module cannot tell whether it is "the main one").
 * SIGTERM/SIGINT: finish the in-flight batch, commit, leave the group, exit 0.
 */
export async function main(): Promise<void> {
  const log = jsonLogger({ component: 'projector' });
  let config;
  try {
    config = readSideConfig();
  } catch (err) {
    if (err instanceof UsageError) {
      log.log('error', 'invalid configuration', { error: err.message });
      process.exit(2);
    }
    throw err;
  }
  const running = await runProjector(config, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log('info', 'shutting down', { signal });
    running.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.log('error', 'shutdown failed', { error: err.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
