import { kafkaClient } from '../clients/kafka.ts';
import { jsonLogger } from '../log/log.ts';
import { stepEvent } from './projector-events.ts';

/**
 * The benchmark's steady-rate producer, in a child process (forked with IPC): on the projector's event loop a long
 * batch would delay its ticks and turn a steady rate into bursts, inflating the measured lag.
 */
const { brokers, topic, run, keyspace, topicPrefix, from, rate, seconds } = JSON.parse(process.argv[2]!) as {
  brokers: string[];
  topic: string;
  run: string;
  keyspace: string;
  topicPrefix: string;
  from: number;
  rate: number;
  seconds: number;
};
const producer = kafkaClient(brokers, 'bench-steady', jsonLogger({ component: 'bench' }, 'warn')).producer();
await producer.connect();
const total = rate * seconds;
const tick = 20;
const perTick = Math.round((rate * tick) / 1000);
const t = performance.now();
let sent = 0;
for (let k = 0; sent < total; k++) {
  const batch = Array.from({ length: Math.min(perTick, total - sent) }, (_, j) =>
    stepEvent(run, from + sent + j, keyspace, topicPrefix),
  );
  sent += batch.length;
  await producer.send({ topic, messages: batch });
  const wait = t + (k + 1) * tick - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const secs = (performance.now() - t) / 1000;
await producer.disconnect();
process.send!({ sent, rate: sent / secs }, undefined, undefined, () => process.exit(0));
