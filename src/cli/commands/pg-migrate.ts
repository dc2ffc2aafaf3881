import { Command } from 'commander';
import { connectPg, pgSettings, type PgFlags } from '../../postgres/connect.ts';
import { migratePg } from '../../postgres/migrate.ts';
import { withPgOptions } from '../pg-options.ts';

export function pgMigrateCommand(): Command {
  return withPgOptions(new Command('pg-migrate'))
    .description("create the PostgreSQL baseline schema (the brief's normalised tables) and apply pending migrations")
    .action(async (opts: PgFlags) => {
      const s = pgSettings(opts);
      const pool = connectPg(s, 1);
      try {
        const r = await migratePg(pool, s.schema);
        console.log(
          r.applied.length
            ? `applied ${r.applied.join(', ')} to schema ${s.schema}; now at version ${r.version}`
            : `schema ${s.schema} is up to date (version ${r.version})`,
        );
      } finally {
        await pool.end();
      }
    });
}
