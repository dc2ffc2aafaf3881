import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProjector, type RunningProjector } from '../../src/projector/run.ts';
import type { Redis } from '../../src/clients/redis.ts';
import { currentGeneration, prefixOf } from '../../src/readmodels/generation.ts';
import { rebuild } from '../../src/projector/rebuild.ts';
import { RedisQueries } from '../../src/readmodels/queries.ts';
import { topicOf } from '../../src/cdc/topics.ts';
import { ensureTopics, kafkaClient } from '../../src/clients/kafka.ts';
import { silentLogger } from '../../src/log/log.ts';
import { fixture, fixtures } from '../support/fixtures.ts';
import { cleanupReadSide, redisOf, snapshot, testReadSide, waitCaughtUp } from '../support/readside.ts';
import { cdcTopics } from '../../src/cdc/topics.ts';

// Connector-format fixtures through real Kafka and Redis: the effects, then exactly-once under duplicates,
// replays and older row versions, then poison messages.
const rs = testReadSide('fixtures', 'app');
const unknownTopic = topicOf(rs, 'not_a_cdc_table');
let redis: Redis;
let producer: Producer;
let projector: RunningProjector;
const q = () => new RedisQueries(redis, rs.keyPrefix, 0);
const prefix = prefixOf(rs.keyPrefix, 'g1');

async function produce(names: string[]): Promise<void> {
  for (const name of names) {
    const f = fixture(name);
    await producer.send({ topic: topicOf(rs, f.table), messages: [f.message] });
  }
}

beforeAll(async () => {
  redis = await redisOf(rs);
  const kafka = kafkaClient(rs.brokers, 'test-fixtures', silentLogger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [...cdcTopics(rs), unknownTopic, rs.deadLetterTopic], 1);
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
  projector = await runProjector(rs, silentLogger);
});
afterAll(async () => {
  await projector?.stop();
  await producer?.disconnect();
  await cleanupReadSide(rs, redis);
  await redis.quit();
});

describe('projector on connector-format fixtures', () => {
  let applied: Record<string, unknown>;

  it('applies inserts, updates, the static active_root, a delete with its tombstone, and a >2^53 column', async () => {
    await produce(fixtures().map((f) => f.name));
    await waitCaughtUp(rs, redis);
    expect(await q().activeBranch('ses_fx1')).toEqual([
      {
        turnId: 'trn_fxh1',
        role: 'human',
        parentId: null,
        prompt: 'Why is the build red?',
        createdAt: '2025-10-09T08:53:21.000Z',
      },
      { turnId: 'trn_fxa1', role: 'agent', parentId: 'trn_fxh1', prompt: '', createdAt: '2025-10-09T08:53:22.000Z' },
    ]);
    expect(await q().sessionSummary('ses_fx1')).toEqual({
      sessionId: 'ses_fx1',
      accountId: 'acct_fx',
      title: 'Fixture session',
      createdAt: '2025-10-09T08:53:20.000Z',
      lastActivity: '2025-10-09T08:53:24.000Z',
      humanTurns: 1,
      agentTurns: 1,
    });
    expect((await q().turnSteps('trn_fxa1', { limit: 10 })).items).toEqual([
      { idx: 0, type: 'TurnClassifier', content: '{"label":"question","score":0.64}', durationMs: 150 },
    ]);
    expect(await q().stepLatency('acct_fx', ['2025-10-09'])).toEqual([
      { type: 'TurnClassifier', count: 1, p50: 150, p90: 150, p99: 150, max: 150 },
    ]);
    expect(await q().labelFractions('acct_fx', ['2025-10-09'])).toEqual([
      { day: '2025-10-09', label: 'question', count: 1, fraction: 1 },
    ]);
    expect(await q().turnsByLabel('acct_fx', ['2025-10-09'], 'bug_report', 0)).toEqual([]);
    expect(await q().pendingInputs('acct_fx', ['2025-10-09'])).toEqual([]);
    expect(await q().agentTurnsByVersion('atlas-1.0.0', ['2025-10-09'])).toEqual([{ day: '2025-10-09', count: 1 }]);
    expect(await q().dailyActiveAccounts('2025-10-09')).toBe(1);
    applied = await snapshot(redis, prefix);
  });

  it('duplicates, a full replay and older versions of rows change nothing', async () => {
    // Older versions: the step before its update, the pending row before its delete, the turn before active_child was set.
    await produce(['06-step-insert', '08-pending-insert', '02-turn-insert', '01-session-insert']);
    await produce(fixtures().map((f) => f.name));
    await waitCaughtUp(rs, redis);
    expect(await snapshot(redis, prefix)).toEqual(applied);
  });

  it('poison messages go to the dead-letter topic with the error; the good message after them is applied', async () => {
    const bad = fixture('01-session-insert')
      .message.value!.toString()
      .replace('"created_at":1760000000000', '"created_at":"yesterday"');
    await producer.send({
      topic: topicOf(rs, 'sessions'),
      messages: [
        { key: 'k1', value: '{"source": nope' },
        { key: 'k2', value: bad },
      ],
    });
    await producer.send({ topic: unknownTopic, messages: [{ key: 'k3', value: '{}' }] });
    const good = fixture('01-session-insert').message.value!.toString().replaceAll('ses_fx1', 'ses_fx2');
    await producer.send({ topic: topicOf(rs, 'sessions'), messages: [{ key: 'k4', value: good }] });
    await waitCaughtUp(rs, redis);
    expect((await q().sessionSummary('ses_fx2'))?.title).toBe('Fixture session');

    const consumer = kafkaClient(rs.brokers, 'test-dlq', silentLogger).consumer({ groupId: `${rs.group}.dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [rs.deadLetterTopic], fromBeginning: true });
    const letters: { reason: string; error: string; offset: string }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const h = message.headers!;
        letters.push({
          reason: String(h['agentstore.reason']),
          error: String(h['agentstore.error']),
          offset: String(h['agentstore.source.offset']),
        });
      },
    });
    for (let i = 0; i < 100 && letters.length < 3; i++) await new Promise((r) => setTimeout(r, 200));
    await consumer.disconnect();
    expect(letters.map((l) => l.reason).sort()).toEqual(['schema-mismatch', 'unknown-table', 'unparseable']);
    expect(letters.find((l) => l.reason === 'schema-mismatch')!.error).toContain('created_at');
    const metrics = await (await fetch(`http://127.0.0.1:${projector.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/agentstore_projector_dead_letters_total\{reason="unparseable"\} 1/);
    expect((await fetch(`http://127.0.0.1:${projector.metricsPort}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${projector.metricsPort}/healthz`)).status).toBe(200);
  });

  it('rebuild fills a new generation from the earliest offset, switches atomically, drops the old one; the live projector follows', async () => {
    const before = await Promise.all([
      q().activeBranch('ses_fx1'),
      q().sessionSummary('ses_fx2'),
      q().stepLatency('acct_fx', ['2025-10-09']),
    ]);
    const result = await rebuild(rs, silentLogger, { graceMs: 2500 });
    expect(result.from).toBe('g1');
    expect(await currentGeneration(redis, rs.keyPrefix)).toBe(result.to);
    expect(
      await Promise.all([
        q().activeBranch('ses_fx1'),
        q().sessionSummary('ses_fx2'),
        q().stepLatency('acct_fx', ['2025-10-09']),
      ]),
    ).toEqual(before);
    expect(Object.keys(await snapshot(redis, prefix))).toEqual([]);
    // The running projector moved to the new generation's group: a new event lands in the new keys.
    await producer.send({
      topic: topicOf(rs, 'sessions'),
      messages: [
        { key: 'k5', value: fixture('01-session-insert').message.value!.toString().replaceAll('ses_fx1', 'ses_fx3') },
      ],
    });
    for (let i = 0; i < 100 && !(await q().sessionSummary('ses_fx3')); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await q().sessionSummary('ses_fx3'))?.accountId).toBe('acct_fx');
  });
});
