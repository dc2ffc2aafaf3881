/**
 * Checkpointer bench (`make bench`): put, getTuple (latest) and list (10 newest) on our
 * CqlCheckpointSaver, the official PostgresSaver and MemorySaver, next to a bare prepared
 * single-partition INSERT and SELECT of a checkpoint row on the same Cassandra in the same run.
 * Calls are interleaved (one of each in turn), one at a time: latency, not throughput.
 * Target: getTuple p99 <= 3x the bare SELECT's p99 (a latest read is two sequential round trips:
 * the row, then its blobs and writes in parallel). Writes .reports/bench-checkpoint.json.
 *
 *   tsx src/bench/checkpoint.ts [--iterations 1000] [--threads 20]
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MemorySaver, uuid6, type BaseCheckpointSaver, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { cqlSettings } from '../config/settings.ts';
import { connectCql } from '../cql/connect.ts';
import pg from 'pg';
import { ENV, readEnv } from '../config/env.ts';
import { createCheckpointKeyspace, CqlCheckpointSaver } from '../storage/checkpoint/index.ts';
import { latency, type Latency } from '../util/latency.ts';
import { REPORTS_DIR, shown, writeFileAt } from '../util/repo.ts';
import { table } from './stats.ts';

const { values: args } = parseArgs({
  options: { iterations: { type: 'string', default: '1000' }, threads: { type: 'string', default: '20' } },
});
const ITERATIONS = Number(args.iterations);
const THREADS = Number(args.threads);
const HISTORY = 20; // checkpoints per thread before timing starts
const CHANNELS = ['messages', 'plan', 'scratch', 'tools', 'profile'];
const KEYSPACE = 'bench_checkpointer';
const SCHEMA = 'bench_checkpointer';

const s = cqlSettings({});
const { exec, dialect, serverVersion } = await connectCql(s);
// PostgresSaver qualifies its tables by schema itself, so a plain pool on the configured database serves.
const pool = new pg.Pool({ connectionString: readEnv(process.env, ENV.pg) ?? ENV.pg.default, max: 4 });
const meta = (step: number) => ({ source: 'loop' as const, step, parents: {} });
const value = () => randomBytes(384).toString('base64'); // ~512 bytes per channel

/** One thread's state on one saver: the step and its last config, so each put extends the chain. */
interface Chain {
  step: number;
  config: Parameters<BaseCheckpointSaver['put']>[0];
  values: Record<string, unknown>;
  versions: Record<string, number>;
}

async function extend(saver: BaseCheckpointSaver, chain: Chain): Promise<void> {
  chain.step++;
  const channel = CHANNELS[chain.step % CHANNELS.length]!;
  chain.values[channel] = value();
  chain.versions[channel] = chain.step;
  const cp: Checkpoint = {
    v: 4,
    id: uuid6(0),
    ts: new Date().toISOString(),
    channel_values: { ...chain.values },
    channel_versions: { ...chain.versions },
    versions_seen: {},
  };
  chain.config = await saver.put(chain.config, cp, meta(chain.step), { [channel]: chain.step });
  await saver.putWrites(chain.config, [[channel, 'w']], `task-${chain.step}`);
}

function time(into: number[], f: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    const start = performance.now();
    await f();
    into.push(performance.now() - start);
  };
}

try {
  await exec.execute(`DROP KEYSPACE IF EXISTS ${KEYSPACE}`);
  await createCheckpointKeyspace(exec, KEYSPACE, dialect, { datacenter: s.localDataCenter, replicationFactor: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  const postgres = new PostgresSaver(pool, undefined, { schema: SCHEMA });
  await postgres.setup();
  const savers: Record<string, BaseCheckpointSaver> = {
    cql: new CqlCheckpointSaver({ exec, keyspace: KEYSPACE, scope: 'bench' }),
    postgres,
    memory: new MemorySaver(),
  };
  console.log(
    `checkpoint bench on ${dialect} ${serverVersion}: ${THREADS} threads x ${HISTORY} checkpoints, ${CHANNELS.length} channels of ~512 B, ${ITERATIONS} iterations\n`,
  );
  const chains: Record<string, Chain[]> = {};
  for (const [name, saver] of Object.entries(savers)) {
    chains[name] = Array.from({ length: THREADS }, (_, t) => ({
      step: 0,
      config: { configurable: { thread_id: `bench-${t}`, checkpoint_ns: '' } },
      values: {},
      versions: {},
    }));
    for (const chain of chains[name]) for (let i = 0; i < HISTORY; i++) await extend(saver, chain);
  }
  // The ceiling: the same partition shapes, bare prepared statements, no deserialisation.
  const rowBytes = randomBytes(600);
  const bareSelect = `SELECT checkpoint_id, checkpoint, metadata FROM ${KEYSPACE}.checkpoints WHERE scope = ? AND thread_id = ? AND checkpoint_ns = ? LIMIT 1`;
  const bareInsert = `INSERT INTO ${KEYSPACE}.checkpoints (scope, thread_id, checkpoint_ns, checkpoint_id, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?)`;

  const samples: Record<string, number[]> = {};
  const sample = (k: string) => (samples[k] ??= []);
  const warmup = Math.min(50, ITERATIONS);
  for (let i = 0; i < warmup + ITERATIONS; i++) {
    const t = i % THREADS;
    const into = (k: string) => (i < warmup ? [] : sample(k));
    await time(into('bare INSERT'), () =>
      exec.execute(bareInsert, ['bench', `bare-${t}`, '', uuid6(0), rowBytes, rowBytes]),
    )();
    await time(into('bare SELECT'), () => exec.execute(bareSelect, ['bench', `bench-${t}`, '']))();
    for (const [name, saver] of Object.entries(savers)) {
      const chain = chains[name]![t]!;
      await time(into(`${name} put`), () => extend(saver, chain))();
      await time(into(`${name} getTuple`), () =>
        saver.getTuple({ configurable: { thread_id: `bench-${t}`, checkpoint_ns: '' } }),
      )();
      await time(into(`${name} list 10`), async () => {
        for await (const _ of saver.list(
          { configurable: { thread_id: `bench-${t}`, checkpoint_ns: '' } },
          { limit: 10 },
        ));
      })();
    }
  }
  const figures: Record<string, Latency> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, latency(v)]));
  const ceiling = (op: string) => (op.endsWith('put') ? figures['bare INSERT']! : figures['bare SELECT']!);
  const rows = Object.entries(figures).map(([op, f]) => [
    op,
    f.p50.toFixed(2),
    f.p99.toFixed(2),
    op.startsWith('bare') ? '-' : (f.p50 / ceiling(op).p50).toFixed(2),
    op.startsWith('bare') ? '-' : (f.p99 / ceiling(op).p99).toFixed(2),
  ]);
  console.log(table(['operation', 'p50 ms', 'p99 ms', 'p50 / bare', 'p99 / bare'], rows));
  const ratio = figures['cql getTuple']!.p99 / figures['bare SELECT']!.p99;
  console.log(
    `\ncql getTuple p99 / bare SELECT p99 = ${ratio.toFixed(2)}: target <= 3 ${ratio <= 3 ? 'met' : 'MISSED'}`,
  );
  console.log('(put includes its putWrites; "bare" is one prepared statement of one partition on the same Cassandra)');
  const file = join(REPORTS_DIR, 'bench-checkpoint.json');
  await writeFileAt(
    file,
    JSON.stringify(
      { dialect, serverVersion, iterations: ITERATIONS, threads: THREADS, figures, getTupleP99Ratio: ratio },
      null,
      2,
    ),
  );
  console.log(`figures written to ${shown(file)}`);
} finally {
  await exec.execute(`DROP KEYSPACE IF EXISTS ${KEYSPACE}`).catch(() => {});
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => {});
  await pool.end();
  await exec.close();
}
