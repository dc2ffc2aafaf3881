import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { cdcTopics } from '../../src/cdc/topics.ts';
import { ensureTopics, kafkaClient } from '../../src/clients/kafka.ts';
import type { Connected } from '../../src/cql/connect.ts';
import { LOCAL } from '../../src/config/local-services.ts';
import { jsonLogger } from '../../src/log/log.ts';
import { migrate } from '../../src/migrations/runner.ts';
import { runCli } from '../support/cli.ts';
import { connectTestCql, dropKeyspace, testKeyspace } from '../support/cql.ts';

// Topics and groups named after the branch, so no other test's (or helper's) offsets are read or changed.
const tag = randomBytes(3).toString('hex');
const prefix = `backup_test_${tag}`;
const group = `backup-projector-${tag}`;
const keyspace = testKeyspace('backup_kafka');
const kafka = kafkaClient([LOCAL.kafka], 'backup-test', jsonLogger({ component: 'test' }));
let admin: Admin;
let c: Connected;
let dir: string;
let topics: string[];

beforeAll(async () => {
  c = await connectTestCql();
  await migrate({ exec: c.exec, keyspace, dialect: c.dialect, datacenter: 'datacenter1', replicationFactor: 1 });
  dir = await mkdtemp(join(tmpdir(), 'agentstore-backup-kafka-'));
  admin = kafka.admin();
  await admin.connect();
  topics = cdcTopics({ topicPrefix: prefix, keyspace });
  await ensureTopics(admin, topics, 1);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: topics[0]!, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  await producer.disconnect();
  // The projector of generation 1 has consumed two of the three.
  await admin.setOffsets({ groupId: `${group}.g1`, topic: topics[0]!, partitions: [{ partition: 0, offset: '2' }] });
}, 120_000);

afterAll(async () => {
  await admin.deleteGroups([`${group}.g1`]).catch(() => {});
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
  await dropKeyspace(c, keyspace);
  await c.exec.close();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

it("records the CDC topics' end offsets and the projector groups' committed offsets in the manifest", async () => {
  const to = pathToFileURL(dir).href;
  const env = { AGENTSTORE_KAFKA: LOCAL.kafka, AGENTSTORE_TOPIC_PREFIX: prefix, AGENTSTORE_CONSUMER_GROUP: group };
  const r = await runCli(['backup', '--keyspace', keyspace, '--to', to, '--ranges', '2'], env);
  expect(r.code, r.stderr).toBe(0);
  const [id] = await readdir(dir);
  const m = JSON.parse(await readFile(join(dir, id!, 'manifest.json'), 'utf8'));
  for (const at of [m.kafkaAtStart, m.kafkaAtEnd]) {
    expect(Object.keys(at.topics).sort()).toEqual([...topics].sort());
    expect(at.topics[topics[0]!]).toEqual({ '0': '3' });
    expect(at.groups).toEqual([
      { id: `${group}.g1`, offsets: expect.objectContaining({ [topics[0]!]: { '0': '2' } }) },
    ]);
  }
}, 180_000);
