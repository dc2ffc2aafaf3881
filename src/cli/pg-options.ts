import type { Command } from 'commander';
import { ENV, envNote } from '../config/env.ts';

/** The connection flags of the PostgreSQL baseline commands (pg-migrate, pg-seed, pg-verify, pg-to-cql, pg-compare). */
export function withPgOptions(cmd: Command): Command {
  return cmd
    .option('--pg <url>', `PostgreSQL URL (${envNote(ENV.pg)})`)
    .option('--pg-schema <name>', `schema holding the dataset (${envNote(ENV.pgSchema)})`);
}
