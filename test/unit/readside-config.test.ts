import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/settings.ts';
import { readSideConfig } from '../../src/config/read-side.ts';

describe('read-side config', () => {
  it('defaults to the local services', () => {
    const c = readSideConfig({});
    expect(c).toMatchObject({
      brokers: ['127.0.0.1:19092'],
      redisUrl: 'redis://127.0.0.1:16379',
      topicPrefix: 'agentstore',
      keyspace: 'agentstore',
      metricsPort: 9464,
    });
    expect(c.deadLetterTopic).toBe('agentstore.dead-letter');
    expect(c.redisPassword).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ AGENTSTORE_KAFKA: 'localhost' }, /^AGENTSTORE_KAFKA: "localhost" is not valid: give host:port/],
      [{ AGENTSTORE_REDIS: '127.0.0.1:6379' }, /^AGENTSTORE_REDIS: .* redis:\/\//],
      [{ AGENTSTORE_KEYSPACE: 'Bad-Name' }, /^AGENTSTORE_KEYSPACE:/],
      [{ AGENTSTORE_TOPIC_PREFIX: 'a b' }, /^AGENTSTORE_TOPIC_PREFIX:/],
      [{ AGENTSTORE_CONSUMER_GROUP: '' }, /^AGENTSTORE_CONSUMER_GROUP:/],
      [{ AGENTSTORE_REDIS_PREFIX: 'a:b' }, /^AGENTSTORE_REDIS_PREFIX:/],
      [{ AGENTSTORE_METRICS_PORT: '99999' }, /^AGENTSTORE_METRICS_PORT:/],
      [{ AGENTSTORE_REDIS_PASSWORD: '' }, /^AGENTSTORE_REDIS_PASSWORD: is empty/],
      [{ AGENTSTORE_REDIS_PASSWORD: 'a\nb' }, /^AGENTSTORE_REDIS_PASSWORD: .*one line/],
    ];
    for (const [env, message] of cases) {
      expect(() => readSideConfig(env)).toThrow(UsageError);
      expect(() => readSideConfig(env)).toThrow(message);
    }
  });
});
