/**
 * `make bench`, the write path (`npx tsx src/bench/write-path.ts [sessions] [rate]`): the store's
 * real commands (AgentStore: reads, lightweight-transaction claims, logged batches, index rows)
 * against the same statements sent by a bare loop without the LWT conditions, without the logged
 * batches, and without either, all interleaved on one fixed-rate clock in one run, latency measured
 * from each operation's intended start. Prints each cost as a ratio with a 95% bootstrap interval
 * and writes .reports/bench-write-path.json. On the local services the server is Cassandra 5, the
 * stand-in for ScyllaDB: the ratios are Cassandra's (docs/data-model.md says what differs).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { cqlSettings } from '../config/settings.ts';
import { connectCql } from '../cql/connect.ts';
import { migrate } from '../migrations/runner.ts';
import { generateSession, type SeedConfig } from '../seed/generator.ts';
import { AgentStore } from '../store/store.ts';
import { nearestRank } from '../domain/queries.ts';
import { percentileRatios, percentiles, seededRandom, type Estimate } from '../util/bootstrap.ts';
import { REPORTS_DIR, shown, writeFileAt } from '../util/repo.ts';
import {
  prepare,
  RecordingExecutor,
  replay,
  shapeOf,
  type Plan,
  type Prepared,
  type ReplayMode,
} from './write-path/record.ts';
import { openLoop, type Operation } from './write-path/schedule.ts';
import { COMMAND_KINDS, commandsOf, interleave, type CommandKind } from './write-path/workload.ts';
import { table } from './stats.ts';

const SESSIONS = Number(process.argv[2] ?? 550);
/** Operations per second, all five configurations together. */
const RATE = Number(process.argv[3] ?? 120);
const CONCURRENT_SESSIONS = 8;
/** The first positions of the stream prepare each configuration's statements: left out of the figures. */
const WARMUP = 40;
const PS = [50, 95, 99] as const;

const REPLAYS = {
  replay: { lwt: true, batches: true },
  'no-lwt': { lwt: false, batches: true },
  'no-batch': { lwt: true, batches: false },
  bare: { lwt: false, batches: false },
} as const satisfies Record<string, ReplayMode>;
type ReplayName = keyof typeof REPLAYS;
type Config = 'store' | ReplayName;
const CONFIGS: readonly Config[] = ['store', ...(Object.keys(REPLAYS) as ReplayName[])];

/** Each cost: the configuration that pays it over the one that does not, all else equal. */
const COSTS: readonly { name: string; what: string; num: Config; den: Config }[] = [
  { name: 'LWT', what: 'replay / no-lwt', num: 'replay', den: 'no-lwt' },
  { name: 'logged batch', what: 'replay / no-batch', num: 'replay', den: 'no-batch' },
  { name: 'LWT + batch', what: 'replay / bare', num: 'replay', den: 'bare' },
  { name: 'store code', what: 'store / replay', num: 'store', den: 'replay' },
  { name: 'store vs bare', what: 'store / bare', num: 'store', den: 'bare' },
];

const s = cqlSettings({});
const { exec, dialect, serverVersion } = await connectCql(s);
const run = randomBytes(3).toString('hex');
const ks = (c: Config | 'rec') => `bench_wp_${run}_${c.replace('-', '')}`;
const keyspaces = [ks('rec'), ...CONFIGS.map(ks)];
try {
  console.log(
    `write path on ${dialect} ${serverVersion} at ${s.contactPoints}` +
      (dialect === 'cassandra'
        ? ' (Apache Cassandra: the stand-in for ScyllaDB; these are its figures, not ScyllaDB’s)'
        : ''),
  );
  for (const k of keyspaces)
    await migrate({
      exec,
      keyspace: k,
      dialect,
      datacenter: s.localDataCenter,
      replicationFactor: s.replicationFactor,
    });

  const config: SeedConfig = { seed: 11, sessions: SESSIONS, accounts: 20, days: 30, endDate: '2026-11-01' };
  const stream = interleave(
    Array.from({ length: SESSIONS }, (_, i) => commandsOf(generateSession(config, i), i)),
    CONCURRENT_SESSIONS,
  );

  // Record what each command sends (unmeasured; it also warms the server and the JIT).
  const recorder = new RecordingExecutor(exec);
  const recording = new AgentStore(recorder, ks('rec'));
  const plans: Plan[] = [];
  const t0 = performance.now();
  for (const c of stream) plans.push(await recorder.record(() => c.run(recording)));
  console.log(
    `recorded ${stream.length} commands of ${SESSIONS} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const prepared = Object.fromEntries(
    Object.entries(REPLAYS).map(([name, mode]) => [
      name,
      plans.map((p) => prepare(p, ks('rec'), ks(name as ReplayName), mode)),
    ]),
  ) as Record<ReplayName, Prepared[]>;
  const store = new AgentStore(exec, ks('store'));

  // One clock for all: position j of the stream once per configuration, in a shuffled order per position.
  const random = seededRandom(5);
  const operations: (Operation & { config: Config; position: number })[] = [];
  stream.forEach((c, j) => {
    const order = [...CONFIGS];
    for (let i = order.length - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      [order[i], order[k]] = [order[k]!, order[i]!];
    }
    for (const config of order)
      operations.push({
        config,
        position: j,
        chain: `${config}:${c.session}`,
        go: config === 'store' ? () => c.run(store) : () => replay(exec, prepared[config][j]!),
      });
  });
  const expectedMs = (operations.length * 1000) / RATE;
  console.log(
    `${operations.length} operations (${CONFIGS.join(', ')}) at ${RATE}/s: about ${(expectedMs / 1000).toFixed(0)} s`,
  );
  const timed = await openLoop(operations, RATE, expectedMs * 3 + 120_000);

  const samples = new Map<string, number[]>();
  for (const t of timed) {
    const op = operations[t.index]!;
    if (op.position < WARMUP) continue;
    const key = `${op.config}|${stream[op.position]!.kind}`;
    samples.set(key, [...(samples.get(key) ?? []), t.ms]);
  }
  const of = (c: Config, k: CommandKind) => samples.get(`${c}|${k}`) ?? [];
  const ci = (e: Estimate, digits = 2) =>
    `${e.value.toFixed(digits)} [${e.lo.toFixed(digits)}, ${e.hi.toFixed(digits)}]`;

  const report = [];
  for (const kind of COMMAND_KINDS) {
    const shapes = plans.filter((_, j) => stream[j]!.kind === kind).map(shapeOf);
    const mean = (f: (x: (typeof shapes)[number]) => number) =>
      (shapes.reduce((a, x) => a + f(x), 0) / shapes.length).toFixed(1);
    console.log(
      `\n== ${kind}: ${shapes.length} commands per configuration; each sends on average ${mean((x) => x.statements)} statements` +
        ` in ${mean((x) => x.roundTrips)} sequential steps, ${mean((x) => x.lwt)} of them LWT, ${mean((x) => x.batched)} in a logged batch`,
    );
    const latencies = CONFIGS.map((c) => ({ config: c, n: of(c, kind).length, ms: percentiles(of(c, kind), PS) }));
    console.log(
      table(
        ['configuration', 'n', ...PS.map((p) => `p${p} ms [95% CI]`)],
        latencies.map((l) => [l.config, String(l.n), ...l.ms.map((e) => ci(e))]),
      ),
    );
    const costs = COSTS.map((c) => ({ ...c, ratios: percentileRatios(of(c.num, kind), of(c.den, kind), PS) }));
    console.log(
      table(
        ['cost of', 'ratio', ...PS.map((p) => `p${p} [95% CI]`)],
        costs.map((c) => [c.name, c.what, ...c.ratios.map((e) => ci(e))]),
      ),
    );
    report.push({
      kind,
      shapes: shapes.length,
      latencies,
      costs: costs.map(({ name, what, ratios }) => ({ name, what, ratios })),
    });
  }
  const all = timed.map((t) => t.ms).sort((a, b) => a - b);
  console.log(
    `\nall operations: p50 ${nearestRank(all, 50).toFixed(1)} ms, p99 ${nearestRank(all, 99).toFixed(1)} ms, max ${all[all.length - 1]!.toFixed(1)} ms (from the intended start)`,
  );
  const file = join(REPORTS_DIR, 'bench-write-path.json');
  await writeFileAt(
    file,
    JSON.stringify(
      { dialect, serverVersion, sessions: SESSIONS, ratePerSec: RATE, warmupPositions: WARMUP, report },
      null,
      2,
    ),
  );
  console.log(`figures written to ${shown(file)}`);
} finally {
  for (const k of keyspaces) await exec.execute(`DROP KEYSPACE IF EXISTS ${k}`).catch(() => {});
  await exec.close();
}
