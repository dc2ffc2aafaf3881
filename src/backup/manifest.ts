import { z } from 'zod';

/**
 * A backup's files under `<id>/` (docs/backup.md): `backup.json` when it starts, one part and one part
 * record per (table, token range) as each range finishes (the journal a rerun resumes from), and
 * `manifest.json` last: a backup without a manifest is unfinished.
 */
export const FORMAT = 1;
/** package.json's version (src/ imports nothing outside it; test/unit/backup-manifest.test.ts keeps the two equal). */
export const TOOL_VERSION = '0.1.0';

const column = z.object({
  name: z.string(),
  type: z.string(),
  kind: z.enum(['partition_key', 'clustering', 'static', 'regular']),
});
const offsets = z.object({
  /** topic -> partition -> end offset (the next offset to be written). */
  topics: z.record(z.string(), z.record(z.string(), z.string())),
  /** The projector groups' committed offsets (one group per read-model generation), same shape ("-1": none). */
  groups: z.array(z.object({ id: z.string(), offsets: z.record(z.string(), z.record(z.string(), z.string())) })),
  at: z.string(),
});
export type KafkaOffsets = z.infer<typeof offsets>;

export const startedSchema = z.object({
  format: z.literal(FORMAT),
  id: z.string(),
  tool: z.object({ name: z.literal('agentstore'), version: z.string() }),
  keyspace: z.string(),
  dialect: z.enum(['scylla', 'cassandra']),
  serverVersion: z.string(),
  schema: z.object({
    version: z.number().int(),
    migrations: z.array(z.object({ version: z.number(), checksum: z.string() })),
  }),
  tables: z.array(z.object({ table: z.string(), columns: z.array(column) })),
  ranges: z.number().int().positive(),
  startedAt: z.string(),
  kafkaAtStart: offsets.optional(),
});
export type Started = z.infer<typeof startedSchema>;

export const partSchema = z.object({
  table: z.string(),
  range: z.number().int(),
  start: z.string(),
  end: z.string(),
  key: z.string(),
  rows: z.number().int(),
  bytes: z.number().int(),
  /** Of the compressed part as stored. */
  sha256: z.string(),
  /** Of the rows' values and write times (table-scan.ts checksumLine), re-computed after a restore. */
  contentSha256: z.string(),
});
export type Part = z.infer<typeof partSchema>;

export const manifestSchema = startedSchema.extend({
  parts: z.array(partSchema),
  rows: z.record(z.string(), z.number().int()),
  finishedAt: z.string(),
  kafkaAtEnd: offsets.optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const startedKey = (id: string): string => `${id}/backup.json`;
export const manifestKey = (id: string): string => `${id}/manifest.json`;
const partBase = (id: string, table: string, range: number): string =>
  `${id}/parts/${table}/${String(range).padStart(4, '0')}`;
export const partKey = (id: string, table: string, range: number): string => `${partBase(id, table, range)}.ndjson.gz`;
export const partRecordKey = (id: string, table: string, range: number): string => `${partBase(id, table, range)}.json`;

/** `<keyspace>-<UTC time to the millisecond>`: sorts by time, two backups a second apart never share one, and a listing tells one keyspace's backups from another's. */
export const backupId = (keyspace: string, at: Date): string => `${keyspace}-${at.toISOString().replace(/[-:.]/g, '')}`;
const ID = /^([a-z][a-z0-9_]*)-(\d{8}T\d{9}Z)$/;

export interface Listed {
  id: string;
  keyspace: string;
  finished: boolean;
}

/** The backups under a store's root, oldest first. */
export function listedBackups(keys: string[]): Listed[] {
  const byId = new Map<string, Listed>();
  for (const key of keys) {
    const [id, file] = key.split('/');
    const m = id ? ID.exec(id) : null;
    if (!m || !id) continue;
    const entry = byId.get(id) ?? { id, keyspace: m[1]!, finished: false };
    if (file === 'manifest.json') entry.finished = true;
    byId.set(id, entry);
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}
