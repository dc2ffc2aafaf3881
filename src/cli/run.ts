import { Command } from 'commander';
import { UsageError } from '../config/settings.ts';
import { ValidationError } from '../domain/errors.ts';
import { MigrationChecksumError } from '../migrations/runner.ts';

/** Runs the CLI with these commands: parsing, and the exit codes and one-line errors of every command. */
export async function runCli(commands: Command[]): Promise<void> {
  const program = new Command('agentstore')
    .description('The data layer of AI-agent products: ScyllaDB write model, CDC, Redis read models.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  for (const command of commands) program.addCommand(command);

  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const e = err as Error & { code?: string; exitCode?: number };
    if (e.code?.startsWith('commander.')) process.exit(e.exitCode ?? 2);
    if (e instanceof UsageError || e instanceof ValidationError) {
      console.error(`error: ${e.message}`);
      process.exit(2);
    }
    if (e instanceof MigrationChecksumError) {
      console.error(`error: ${e.message}`);
      process.exit(3);
    }
    console.error(`error: ${e.message}`);
    if (process.env['AGENTSTORE_DEBUG']) console.error(e.stack);
    process.exit(1);
  }
}
