import type pg from 'pg';
import type { SessionModel } from '../../seed/generator.ts';
import { measureInsert, tableBytes, type WriteCost } from './measure.ts';
import { VARIANTS } from './variants.ts';

/** What a schema variant's columns cost, apart from its index: the table grows, and every insert writes (and fills) them. */
export interface VariantCost {
  index: string;
  columns: string;
  table: string;
  /** The table (heap and TOAST) before and after the columns were added and filled. */
  bytesBefore: number;
  bytesAfter: number;
  /** The insert batch with these columns present and after they were dropped (no candidate index in either). */
  withColumns: WriteCost;
  withoutColumns: WriteCost;
}

/** Adds every variant's columns, once, at load time: returns each one's table size before and after. */
export async function addVariantColumns(pool: pg.Pool): Promise<{ before: number; after: number }[]> {
  const sizes = [];
  for (const v of VARIANTS) {
    // A variant's table may be its own (the rollup): then it grows from nothing.
    const exists = (await pool.query('SELECT to_regclass($1) AS t', [v.table])).rows[0].t !== null;
    const before = exists ? await tableBytes(pool, v.table) : 0;
    for (const sql of v.setup) await pool.query(sql);
    sizes.push({ before, after: await tableBytes(pool, v.table) });
  }
  return sizes;
}

/**
 * The columns' insert cost: the batch inserted with every variant's columns, then each variant's
 * dropped in turn and the batch inserted again, so each difference is one variant's columns. Run
 * with only the baseline's indexes, last, since it removes the columns the variants' indexes need.
 */
export async function columnCosts(
  pool: pg.Pool,
  models: readonly SessionModel[],
  sizes: readonly { before: number; after: number }[],
  repeats: number,
): Promise<VariantCost[]> {
  let current = await measureInsert(pool, models, 100, repeats);
  const out: VariantCost[] = [];
  for (const [i, v] of VARIANTS.entries()) {
    for (const sql of v.teardown) await pool.query(sql);
    const without = await measureInsert(pool, models, 100, repeats);
    out.push({
      index: v.index.name,
      columns: v.columns,
      table: v.table,
      bytesBefore: sizes[i]!.before,
      bytesAfter: sizes[i]!.after,
      withColumns: current,
      withoutColumns: without,
    });
    current = without;
  }
  return out;
}
