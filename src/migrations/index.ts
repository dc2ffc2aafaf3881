import { initial } from './001-initial.ts';
import { agentVersion } from './002-agent-version.ts';
import { agentTurnsByVersion } from './003-agent-turns-by-version.ts';
import { boundedWriteModel } from './004-bounded-write-model.ts';
import { checkpoints } from './005-checkpoints.ts';
import { storageInterfaces } from './006-storage-interfaces.ts';
import type { Migration } from './migration.ts';

/**
 * Every migration, in the order it applies. Append only. Kept as a literal tuple: the table catalog's
 * types (src/migrations/catalog.ts) are computed from it.
 */
export const MIGRATIONS = [
  initial,
  agentVersion,
  agentTurnsByVersion,
  boundedWriteModel,
  checkpoints,
  storageInterfaces,
] as const satisfies readonly Migration[];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
