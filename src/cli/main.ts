import { Command } from 'commander';
import { UsageError } from '../config/settings.ts';
import { ValidationError } from '../domain/errors.ts';
import { MigrationChecksumError } from '../migrations/runner.ts';
import { migrateCommand, statusCommand } from './commands/migrate.ts';
import { seedCommand } from './commands/seed.ts';
import { verifyCommand } from './commands/verify.ts';
import { projectCommand } from './commands/project.ts';
import { rebuildCommand } from './commands/rebuild.ts';
import { cdcProbeCommand } from './commands/cdc-probe.ts';
import { pgMigrateCommand } from './commands/pg-migrate.ts';
import { pgSeedCommand } from './commands/pg-seed.ts';
import { pgVerifyCommand } from './commands/pg-verify.ts';
import { pgToCqlCommand } from './commands/pg-to-cql.ts';
import { pgCompareCommand } from './commands/pg-compare.ts';

const program = new Command('agentstore')
  .description('The data layer of AI-agent products: ScyllaDB write model, CDC, Redis read models.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(migrateCommand());
program.addCommand(statusCommand());
program.addCommand(seedCommand());
program.addCommand(verifyCommand());
program.addCommand(projectCommand());
program.addCommand(rebuildCommand());
program.addCommand(cdcProbeCommand());
program.addCommand(pgMigrateCommand());
program.addCommand(pgSeedCommand());
program.addCommand(pgVerifyCommand());
program.addCommand(pgToCqlCommand());
program.addCommand(pgCompareCommand());

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
