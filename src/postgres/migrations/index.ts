import { schema001 } from './001-schema.ts';
import { indexes002 } from './002-indexes.ts';
import { pendingIndex003 } from './003-pending-index.ts';
import { storage004 } from './004-storage-interfaces.ts';
import type { PgMigration } from './migration.ts';

export const PG_MIGRATIONS: readonly PgMigration[] = [schema001, indexes002, pendingIndex003, storage004];
export const PG_LATEST = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
