import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { redisClient } from '../clients/redis.ts';
import { decode } from '../cdc/envelope.ts';
import { ProjectorMetrics } from '../projector/metrics.ts';
import { Projector } from '../projector/projector.ts';
import { APPLY_SHA, EVENTS_PER_CALL, loadScript, scriptArgs } from '../readmodels/apply.ts';
import { effectOf } from '../readmodels/effects.ts';
import { Keys } from '../readmodels/keys.ts';
import { topicOf } from '../cdc/topics.ts';
import { readSideConfig } from '../config/read-side.ts';
import { ensureTopics, groupLag, kafkaClient } from '../clients/kafka.ts';
import { jsonLogger } from '../log/log.ts';
import { stepEvent } from './projector-events.ts';
import { latency } from '../util/latency.ts';

/**
 * Projector benchmark (`npx tsx src/bench/projector.ts [events] [rate] [seconds]`), against the local Kafka and
 * Redis. Measures, in one run: (1) the Redis ceiling: the same guard+effect scripts, pipelined,
 * without Kafka; (2) the Kafka ceiling: a bare consumer reading the same backlog; (3) projector
 * throughput on that backlog; (4) produce-to-visible lag at a steady rate. Everything it creates is
 * deleted at the end.
 */
const N = Number(process.argv[2] ?? 40_000);
const RATE = Number(process.argv[3] ?? 5000);
const SECONDS = Number(process.argv[4] ?? 10);
const run = randomBytes(3).toString('hex');
const config = readSideConfig({
  ...process.env,
  AGENTSTORE_TOPIC_PREFIX: `bench_${run}`,
  AGENTSTORE_KEYSPACE: 'bench',
  AGENTSTORE_REDIS_PREFIX: `bench_${run}`,
  AGENTSTORE_CONSUMER_GROUP: `bench_${run}`,
  AGENTSTORE_METRICS_PORT: '0',
});
const topic = topicOf(config, 'steps_by_turn');
const log = jsonLogger({ component: 'bench' }, 'warn');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const kafka = kafkaClient(config.brokers, 'bench', log);
const admin = kafka.admin();
await admin.connect();
await ensureTopics(admin, [topic], 3);
const redis = redisClient(config);
await redis.connect();
await loadScript(redis);
const producer = kafka.producer();
await producer.connect();

// Backlog: N distinct step events.
const events = Array.from({ length: N }, (_, i) => stepEvent(run, i, config.keyspace, config.topicPrefix));
for (let i = 0; i < N; i += 2000) await producer.send({ topic, messages: events.slice(i, i + 2000) });

// (1) Redis ceiling: the same guard+effect script calls, computed up front, pipelined ~2000 events at a time.
const rk = new Keys(`bench_${run}:redis-ceiling`);
const changes = events.map((m) => {
  const d = decode(topic, Buffer.from(m.value as string), config);
  if (d.kind !== 'change') throw new Error('bench event did not decode');
  return { tsUs: d.event.tsUs, effect: effectOf(rk, d.event) };
});
const scripts = Array.from({ length: Math.ceil(N / EVENTS_PER_CALL) }, (_, i) =>
  scriptArgs(rk, changes.slice(i * EVENTS_PER_CALL, (i + 1) * EVENTS_PER_CALL)),
);
const t = performance.now();
for (let i = 0; i < scripts.length; i += 32)
  await Promise.all(scripts.slice(i, i + 32).map((a) => redis.evalSha(APPLY_SHA, a)));
const redisRate = N / ((performance.now() - t) / 1000);

// (2) Kafka ceiling: a bare consumer of the same backlog, no processing.
const raw = kafka.consumer({ groupId: `bench_${run}.raw`, maxBytesPerPartition: config.fetchMaxBytes });
await raw.connect();
await raw.subscribe({ topics: [topic], fromBeginning: true });
let seen = 0;
let firstAt = 0;
let lastAt = 0;
await raw.run({
  eachBatch: async ({ batch }) => {
    firstAt ||= performance.now();
    seen += batch.messages.length;
    lastAt = performance.now();
  },
});
while (seen < N) await sleep(20);
await raw.disconnect();
const kafkaRate = N / Math.max(0.001, (lastAt - firstAt) / 1000);

// (3) Projector throughput on the backlog (timed from its first batch, like the bare consumer).
const metrics = new ProjectorMetrics();
let applied = 0;
let pFirst = 0;
let delays: number[] = [];
const projector = new Projector({
  config,
  generation: 'bench',
  log,
  metrics,
  onApplied: (d) => {
    pFirst ||= performance.now();
    applied += d.length;
    delays.push(...d);
  },
});
await projector.start();
while (applied < N) await sleep(20);
const projectorRate = N / Math.max(0.001, (performance.now() - pFirst) / 1000);

// (4) Steady rate: RATE events/s for SECONDS from a child process, produce-to-visible delay of each event.
delays = [];
const total = RATE * SECONDS;
// Its own process (and core): on this event loop, projector batches would delay its ticks into bursts.
const child = fork(
  fileURLToPath(new URL('./projector-producer.ts', import.meta.url)),
  [
    JSON.stringify({
      brokers: config.brokers,
      topic,
      run,
      keyspace: config.keyspace,
      topicPrefix: config.topicPrefix,
      from: N,
      rate: RATE,
      seconds: SECONDS,
    }),
  ],
  { execArgv: ['--import', 'tsx'] },
);
const producedRate = await new Promise<number>((resolve, reject) =>
  child.once('message', (m: { rate: number }) => resolve(m.rate)).once('error', reject),
);
while (delays.length < total) await sleep(20);
const { p50: lagP50, p99: lagP99 } = latency(delays);
await projector.stop();

const ceiling = Math.min(redisRate, kafkaRate);
const ratio = projectorRate / ceiling;
const line = (name: string, v: string) => console.log(`${name.padEnd(44)} ${v}`);
console.log(`projector benchmark: ${N} backlog events, then ${total} at ${RATE}/s (local Kafka + Redis, one machine)`);
line('Redis ceiling (same scripts, pipelined)', `${Math.round(redisRate)} events/s`);
line('Kafka ceiling (bare consumer, same topic)', `${Math.round(kafkaRate)} events/s`);
line(
  'projector throughput (backlog)',
  `${Math.round(projectorRate)} events/s = ${(ratio * 100).toFixed(0)}% of the slower ceiling (target >= 50%): ${ratio >= 0.5 ? 'met' : 'MISSED'}`,
);
line(`steady rate produced`, `${Math.round(producedRate)} events/s (target ${RATE})`);
line(
  'produce -> Redis visible lag p50 / p99',
  `${lagP50} / ${lagP99} ms (target p99 <= 500 ms): ${lagP99 <= 500 && producedRate >= RATE * 0.95 ? 'met' : 'MISSED'}`,
);
console.log(`group lag after run: ${await groupLag(admin, `${config.group}.bench`, [topic])}`);

// Clean up everything this run created.
await producer.disconnect();
// The projector creates every CDC topic and the dead-letter topic of its prefix: delete them all.
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((x) => x.startsWith(`${config.topicPrefix}.`)) });
await admin.deleteGroups([`${config.group}.bench`, `bench_${run}.raw`]).catch(() => {});
await admin.disconnect();
for await (const keys of redis.scanIterator({ MATCH: `bench_${run}:*`, COUNT: 1000 }))
  if ((keys as unknown as string[]).length) await redis.unlink(keys as unknown as string[]);
await redis.quit();
