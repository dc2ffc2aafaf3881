import type { KafkaMessage, Message } from 'kafkajs';

/**
 * A dead letter keeps the original key and value byte for byte, and says where it came from and
 * why in headers, so an operator can fix the cause and replay it to its original topic unchanged.
 */
export function deadLetter(topic: string, partition: number, m: KafkaMessage, reason: string, error: string): Message {
  return {
    key: m.key,
    value: m.value,
    headers: {
      'agentstore.error': error.slice(0, 2000),
      'agentstore.reason': reason,
      'agentstore.source.topic': topic,
      'agentstore.source.partition': String(partition),
      'agentstore.source.offset': m.offset,
      'agentstore.failed.at': new Date().toISOString(),
    },
  };
}
