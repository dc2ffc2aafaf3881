import { auditCommand } from './commands/audit.ts';
import { pgAuditStores } from './commands/audit-pg.ts';
import { eraseCommand } from './commands/erase.ts';
import { retentionCommand } from './commands/retention.ts';
import { pgCompareCommand } from './commands/pg-compare.ts';
import { pgMigrateCommand } from './commands/pg-migrate.ts';
import { pgSeedCommand } from './commands/pg-seed.ts';
import { pgToCqlCommand } from './commands/pg-to-cql.ts';
import { pgVerifyCommand } from './commands/pg-verify.ts';
import { podCommands } from './pod-commands.ts';
import { runCli } from './run.ts';

/** The whole CLI: what the chart's pods run (./pod.ts) plus erasure, retention and the PostgreSQL baseline commands. */
await runCli([
  // The full CLI's audit can also compare the PostgreSQL baseline, which the pods' bundle leaves out.
  ...podCommands({ audit: auditCommand(pgAuditStores) }),
  eraseCommand(),
  retentionCommand(),
  pgMigrateCommand(),
  pgSeedCommand(),
  pgVerifyCommand(),
  pgToCqlCommand(),
  pgCompareCommand(),
]);
