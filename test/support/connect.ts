/**
 * A real Kafka Connect distributed worker for tests, on our Kafka jar set (connect-runtime and
 * connect-file from Maven Central) against the local Kafka, with its own group and internal topics.
 * It has no ScyllaDB connector (no ScyllaDB here): tests drive the REST API with the FileStream
 * connectors that ship with Kafka.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { LOCAL } from '../../src/config/local-services.ts';
import { java17 } from '../../scripts/services/jvm.ts';
import { kafkaClasspath } from '../../scripts/services/kafka.ts';
import { freePort } from '../../src/util/free-port.ts';

export interface ConnectWorker {
  url: string;
  group: string;
  configTopic: string;
  dir: string;
  /** Records Connect has written to its config topic: every config write is one (and a restart of the connector). */
  configRecords(): Promise<number>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function startConnectWorker(timeoutMs = 180_000): Promise<ConnectWorker> {
  const id = randomBytes(4).toString('hex');
  const group = `t_connect_${id}`;
  const dir = await mkdtemp(join(tmpdir(), 'agentstore-connect-'));
  const port = await freePort();
  const topics = { configs: `${group}-configs`, offsets: `${group}-offsets`, status: `${group}-status` };
  await writeFile(
    join(dir, 'worker.properties'),
    [
      `bootstrap.servers=${LOCAL.kafka}`,
      `group.id=${group}`,
      `config.storage.topic=${topics.configs}`,
      `offset.storage.topic=${topics.offsets}`,
      `status.storage.topic=${topics.status}`,
      'config.storage.replication.factor=1',
      'offset.storage.replication.factor=1',
      'status.storage.replication.factor=1',
      'offset.storage.partitions=1',
      'status.storage.partitions=1',
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      `listeners=http://127.0.0.1:${port}`,
      'rest.advertised.host.name=127.0.0.1',
      'offset.flush.interval.ms=1000',
      // One worker: no need to wait for others before assigning work.
      'scheduled.rebalance.max.delay.ms=0',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'log4j2.properties'),
    [
      'status = warn',
      'appender.out.type = Console',
      'appender.out.name = OUT',
      'appender.out.layout.type = PatternLayout',
      'appender.out.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = warn',
      'rootLogger.appenderRef.out.ref = OUT',
      'logger.worker.name = org.apache.kafka.connect.runtime.Worker',
      'logger.worker.level = info',
      '',
    ].join('\n'),
  );
  const logPath = join(dir, 'connect.log');
  const { openSync, closeSync } = await import('node:fs');
  const fd = openSync(logPath, 'a');
  const child: ChildProcess = spawn(
    await java17(),
    [
      '-Xms128m',
      '-Xmx384m',
      '-XX:TieredStopAtLevel=1',
      `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
      '-cp',
      await kafkaClasspath(),
      'org.apache.kafka.connect.cli.ConnectDistributed',
      join(dir, 'worker.properties'),
    ],
    { cwd: dir, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const kafka = new Kafka({ clientId: `test-${group}`, brokers: [LOCAL.kafka], logLevel: logLevel.NOTHING });
  const worker: ConnectWorker = {
    url,
    group,
    configTopic: topics.configs,
    dir,
    async configRecords() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topics.configs);
        return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
      } finally {
        await admin.disconnect();
      }
    },
    log: () => readFile(logPath, 'utf8'),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => (child.kill('SIGKILL'), resolve()), 20_000);
          child.once('exit', () => (clearTimeout(t), resolve()));
        });
      }
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
      await admin.deleteGroups([group]).catch(() => {});
      await admin.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
  // Ready once it answers /connectors: that needs the worker to have joined its group and read its config topic.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`the Connect worker exited during start-up:\n${(await worker.log()).slice(-3000)}`);
    const ok = await fetch(`${url}/connectors`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return worker;
    if (Date.now() > deadline) {
      const log = await worker.log();
      await worker.stop();
      throw new Error(`the Connect worker did not answer in ${timeoutMs / 1000} s:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
