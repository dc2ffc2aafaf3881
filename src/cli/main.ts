import { Command } from 'commander';
import { LOCAL } from '../config/local-services.ts';
import { describeFailure, endpointsOf, renderFailure } from './errors.ts';
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
  const e = err as Error & { code?: unknown; exitCode?: number };
  // commander has printed its own message (unknown option, --help) already.
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) process.exit(e.exitCode ?? 2);
  const failure = describeFailure(err, endpointsOf(process.argv.slice(2), process.env, LOCAL));
  console.error(renderFailure(failure));
  if (process.env['AGENTSTORE_DEBUG']) console.error(e.stack);
  process.exit(failure.exitCode);
}
