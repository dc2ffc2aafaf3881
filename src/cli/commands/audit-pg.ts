import type { Command } from 'commander';
import { connectPg, pgSettings, type PgFlags } from '../../postgres/connect.ts';
import { PgQueries } from '../../postgres/queries.ts';
import type { KeyQueries } from '../../domain/queries.ts';
import type { AuditStores } from './audit.ts';

/** `agentstore audit --pg <url>`: the PostgreSQL baseline compared with CQL too (during a migration). */
export const pgAuditStores: AuditStores = {
  withFlags: (cmd: Command) =>
    cmd
      .option('--pg <url>', 'also compare the PostgreSQL baseline (schema: --pg-schema) with CQL')
      .option('--pg-schema <name>', 'schema of the PostgreSQL baseline (with --pg)'),
  async open(flags) {
    const f = flags as PgFlags;
    const none: Record<string, KeyQueries> = {};
    if (!f.pg) return { stores: none, close: async () => {} };
    const pool = connectPg(pgSettings(f));
    return { stores: { postgres: new PgQueries(pool) }, close: () => pool.end() };
  },
};
