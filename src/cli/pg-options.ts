import type { Command } from 'commander';

/** The connection flags of the PostgreSQL baseline commands (pg-migrate, pg-seed, pg-verify, pg-to-cql, pg-compare). */
export function withPgOptions(cmd: Command): Command {
  return cmd
    .option(
      '--pg <url>',
      'PostgreSQL URL (env AGENTSTORE_PG; default: local services postgres://agentstore@127.0.0.1:15432/agentstore)',
    )
    .option('--pg-schema <name>', 'schema holding the dataset (env AGENTSTORE_PG_SCHEMA; default agentstore)');
}
