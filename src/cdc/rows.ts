import { z } from 'zod';
import { CDC_TABLES, keyOf, tableDef, type CdcTable } from '../migrations/catalog.ts';
import type { CqlType } from '../schema/table.ts';

/**
 * The row images of each CDC table as the connector writes them with the JSON converter (no
 * schemas), derived from the tables' definitions: timestamp = epoch milliseconds, date = days since
 * the epoch, int = number, text = string. A column is null in a partial image (a postimage of an
 * update to a row whose other cells were never written), so only the primary key is required; the
 * clustering key is not either where a static-only row exists (its image has null clustering
 * columns). The projector decides what a partial row can still update. Unknown columns are allowed:
 * a later migration may add one before the projector knows it.
 */
const VALUE: Record<CqlType, z.ZodType> = {
  text: z.string(),
  timestamp: z.number().int(),
  date: z.number().int(),
  int: z.number().int(),
  double: z.number(),
  // The JSON converter writes bytes as base64; no CDC table has a blob column yet.
  blob: z.string(),
};

/** Columns whose values the read models depend on beyond their CQL type: a role names a Redis key. */
const NARROWER: Partial<Record<CdcTable, Record<string, z.ZodType>>> = {
  turns_by_session: { role: z.enum(['human', 'agent']) },
};

function imageSchema(table: CdcTable): z.ZodType {
  const def = tableDef(table);
  const key = keyOf(table);
  const required = new Set([...key.partition, ...(def.staticColumns?.length ? [] : key.clustering)]);
  const shape = Object.fromEntries(
    Object.entries(def.columns).map(([column, type]) => {
      const value = NARROWER[table]?.[column] ?? VALUE[type];
      return [column, required.has(column) ? value : value.nullish()];
    }),
  );
  return z.looseObject(shape);
}

export const ROW_SCHEMAS = Object.fromEntries(CDC_TABLES.map((t) => [t, imageSchema(t)])) as Record<
  CdcTable,
  z.ZodType
>;

/** Primary key columns, in key order: the version guard is keyed by them. */
export const PRIMARY_KEYS = Object.fromEntries(CDC_TABLES.map((t) => [t, keyOf(t)])) as Record<
  CdcTable,
  ReturnType<typeof keyOf>
>;
