import { Command } from 'commander';
import { ENV, readEnv } from '../config/env.ts';
import { LOCAL } from '../config/local-services.ts';
import { describeFailure, endpointsOf, renderFailure } from './errors.ts';

/** Runs the CLI with these commands: parsing, and the exit codes and one-line errors of every command (errors.ts). */
export async function runCli(commands: Command[]): Promise<void> {
  const program = new Command('agentstore')
    .description('The data layer of AI-agent products: ScyllaDB write model, CDC, Redis read models.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  for (const command of commands) program.addCommand(command);

  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const e = err as Error & { code?: unknown; exitCode?: number };
    // commander has printed its own message (unknown option, --help) already.
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) process.exit(e.exitCode ?? 2);
    const failure = describeFailure(err, endpointsOf(process.argv.slice(2), process.env, LOCAL));
    console.error(renderFailure(failure));
    if (readEnv(process.env, ENV.debug)) console.error(e.stack);
    process.exit(failure.exitCode);
  }
}
