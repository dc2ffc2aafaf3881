import type pg from 'pg';
import { seededRandom } from '../../util/bootstrap.ts';
import type { StudyCase } from './cases.ts';
import type { Config } from './configs.ts';
import { inConfig } from './protocol.ts';
import { sqlFor } from './variants.ts';

/**
 * The cold-cache pass. A cache is cold only for the first call after it was emptied: the second
 * call finds the pages the first one read. So a cold figure is one call, and each needs its own
 * restart: the study's server is stopped (its data kept), the OS page cache dropped, the server
 * started again, and then one configuration's query runs once. The DROP INDEX and the EXPLAIN
 * before the timed execution (as in the warm pass) read the catalog and a few index pages for
 * the planner's estimates, so what is timed is the execution reading its heap and index pages
 * from disk: the first request after a restart, a failover, or an eviction of that data.
 */
export interface ColdCell {
  config: string;
  /** The population the call's parameters come from (the heaviest account for account queries). */
  stratum: string;
  /** One first call per restart. */
  firstMs: number[];
  timeouts: number;
}

export interface ColdOptions {
  /** Restarts per configuration: each gives one first call. */
  restarts: number;
  timeoutMs: number;
  /** Stops the server, empties the OS page cache, starts it again; false when the cache could not be dropped. */
  restart: () => Promise<boolean>;
}

/** The parameters a cold call uses: the heaviest account for account queries (the most pages to read), else the first set. */
function coldParams(c: StudyCase) {
  return c.params.find((p) => p.stratum === 'large accounts') ?? c.params[0]!;
}

export async function coldCase(
  pool: pg.Pool,
  c: StudyCase,
  configs: readonly Config[],
  o: ColdOptions,
  seed: number,
): Promise<{ cells: ColdCell[]; osCacheDropped: boolean }> {
  const p = coldParams(c);
  const cells: ColdCell[] = configs.map((k) => ({ config: k.name, stratum: p.stratum, firstMs: [], timeouts: 0 }));
  const random = seededRandom(seed);
  let dropped = true;
  for (let round = 0; round < o.restarts; round++) {
    // Each round in its own order, so no configuration always follows the same one.
    const order = configs.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      dropped = (await o.restart()) && dropped;
      const config = configs[i]!;
      const sql = sqlFor(c, config.visible);
      const client = await pool.connect();
      try {
        await client.query(`SET statement_timeout = ${Math.round(o.timeoutMs)}`);
        const ms = await inConfig(client, config, async () => {
          await client.query(`EXPLAIN ${sql}`, p.values);
          const t = performance.now();
          await client.query(sql, p.values);
          return performance.now() - t;
        });
        cells[i]!.firstMs.push(ms);
      } catch (err) {
        if ((err as { code?: string }).code !== '57014') throw err;
        cells[i]!.timeouts++;
        cells[i]!.firstMs.push(o.timeoutMs);
      } finally {
        client.release();
      }
    }
  }
  return { cells, osCacheDropped: dropped };
}
