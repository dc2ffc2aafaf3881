import { keyOf, type TableName } from '../migrations/catalog.ts';
import { datasetSchedules, generateSessions, type SeedConfig } from '../seed/generator.ts';
import { seedStatements } from '../seed/seeder.ts';

export interface HotPartition {
  table: string;
  writes: number;
  partitions: number;
  /** The most-written partition's share of the table's writes. */
  hottestShare: number;
  hottest: unknown[];
}

/**
 * Where the skewed generator's writes land: per table, how many partitions they spread over and
 * the hottest partition's share. Counted on the seeder's statements (the store writes the same
 * rows), so it needs no server. A share that stays put while the dataset grows means the hottest
 * partition grows with traffic; bucketed tables spread a big tenant's or a release's day instead.
 */
export function hotPartitions(config: SeedConfig): HotPartition[] {
  const perTable = new Map<string, Map<string, { key: unknown[]; n: number }>>();
  const progress = { sessions: 0, steps: 0, statements: 0 };
  for (const phases of seedStatements('ks', generateSessions(config), progress, datasetSchedules(config)))
    for (const s of phases.flat()) {
      if (!s.row) continue;
      const key = keyOf(s.row.table as TableName).partition.map((c) => s.row!.key[c]);
      const id = JSON.stringify(key);
      const parts = perTable.get(s.row.table) ?? perTable.set(s.row.table, new Map()).get(s.row.table)!;
      const p = parts.get(id) ?? parts.set(id, { key, n: 0 }).get(id)!;
      p.n++;
    }
  return [...perTable].map(([table, parts]) => {
    let writes = 0;
    let hottest = { key: [] as unknown[], n: 0 };
    for (const p of parts.values()) {
      writes += p.n;
      if (p.n > hottest.n) hottest = p;
    }
    return { table, writes, partitions: parts.size, hottestShare: hottest.n / writes, hottest: hottest.key };
  });
}
