/**
 * `make bench`: seeding throughput and key-query latency at two dataset sizes, each next to a
 * ceiling measured in the same run on the same server. Prints figures and ratios, writes
 * .reports/bench.json. Targets: seeding >= 0.8 of the ceiling; single-partition query
 * p99 <= 2x a bare prepared SELECT of the same partition. Misses are reported, not hidden. With
 * them, each table's hottest partition's share of the skewed generator's writes.
 */
import { join } from 'node:path';
import { cqlSettings } from '../config/settings.ts';
import { connectCql } from '../cql/connect.ts';
import { migrate } from '../migrations/runner.ts';
import type { SeedConfig } from '../seed/generator.ts';
import { hotPartitions } from './hot-partitions.ts';
import { benchQueries } from './queries.ts';
import { benchSeeding } from './seeding.ts';
import { table } from './stats.ts';
import { REPORTS_DIR, shown, writeFileAt } from '../util/repo.ts';

const SIZES = [
  { name: 'small', sessions: 300 },
  { name: 'large', sessions: 3000 },
];
const CONCURRENCY = 64;
const ITERATIONS = 1000;

const s = cqlSettings({});
const { exec, dialect, serverVersion } = await connectCql(s);
const results = [];
try {
  console.log(`bench on ${dialect} ${serverVersion} at ${s.contactPoints}, concurrency ${CONCURRENCY}\n`);
  for (const size of SIZES) {
    const config: SeedConfig = { seed: 7, sessions: size.sessions, accounts: 50, days: 30, endDate: '2026-11-01' };
    const ks = `bench_${size.name}`;
    const fresh = async () => {
      await exec.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
      await migrate({ exec, keyspace: ks, dialect, datacenter: s.localDataCenter, replicationFactor: 1 });
      return ks;
    };
    const seeding = await benchSeeding(exec, fresh, config, CONCURRENCY);
    const queries = await benchQueries(exec, ks, config, ITERATIONS);
    const hot = hotPartitions(config);
    results.push({ size: size.name, sessions: size.sessions, seeding, queries, hot });

    console.log(`== ${size.name}: ${size.sessions} sessions, ${seeding.steps} steps, ${seeding.statements} rows`);
    console.log(
      table(
        ['seeding', 'rows/s', 'ceiling rows/s', 'ratio', 'target'],
        [
          [
            'seed',
            seeding.oursRowsPerSec.toFixed(0),
            seeding.ceilingRowsPerSec.toFixed(0),
            seeding.ratio.toFixed(2),
            seeding.ratio >= 0.8 ? '>= 0.80 met' : '>= 0.80 MISSED',
          ],
        ],
      ),
    );
    console.log();
    console.log(
      table(
        ['query', 'p50 ms', 'p99 ms', 'bare p50', 'bare p99', 'p99 ratio', 'target'],
        queries.map((f) => [
          f.query,
          f.ours.p50.toFixed(2),
          f.ours.p99.toFixed(2),
          f.bare.p50.toFixed(2),
          f.bare.p99.toFixed(2),
          f.ratio.toFixed(2),
          f.ratio <= 2 ? '<= 2 met' : '<= 2 MISSED',
        ]),
      ),
    );
    console.log();
    console.log(
      table(
        ['writes per table (skewed tenants, churn)', 'writes', 'partitions', 'hottest share', 'hottest partition'],
        hot.map((h) => [
          h.table,
          String(h.writes),
          String(h.partitions),
          `${(h.hottestShare * 100).toFixed(2)}%`,
          JSON.stringify(h.hottest),
        ]),
      ),
    );
    console.log();
    await exec.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  }
  const file = join(REPORTS_DIR, 'bench.json');
  await writeFileAt(file, JSON.stringify(results, null, 2));
  console.log(`figures written to ${shown(file)}`);
} finally {
  await exec.close();
}
