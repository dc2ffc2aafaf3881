import { createIndexSql, INDEXES } from '../indexes.ts';
import type { PgMigration } from './migration.ts';

/** The secondary indexes the index study recommends (docs/index-study.md, docs/postgres-baseline.md). */
export const indexes002: PgMigration = {
  version: 2,
  name: 'secondary indexes for the key queries',
  statements: INDEXES.map(createIndexSql),
};
