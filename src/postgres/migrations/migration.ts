/** A versioned PostgreSQL migration: plain SQL statements, run in one transaction (DDL is transactional in PostgreSQL). */
export interface PgMigration {
  version: number;
  name: string;
  statements: string[];
}
