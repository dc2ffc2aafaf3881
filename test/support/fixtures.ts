import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'lossless-json';
import type { Message } from 'kafkajs';

/**
 * Connector-format fixtures (test/fixtures/cdc/*.json): { table, key, value }, where value is the
 * message value exactly as the ScyllaDB CDC connector writes it (null = tombstone). Read with
 * lossless-json so a number beyond 2^53 reaches Kafka with every digit.
 */
export interface Fixture {
  name: string;
  table: string;
  message: Message;
}

const DIR = join(import.meta.dirname, '..', 'fixtures', 'cdc');

export function fixtures(): Fixture[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => fixture(f.replace(/\.json$/, '')));
}

export function fixture(name: string): Fixture {
  const doc = parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { table: string; key: unknown; value: unknown };
  return {
    name,
    table: doc.table,
    message: { key: stringify(doc.key)!, value: doc.value === null ? null : stringify(doc.value)! },
  };
}

export const rawValue = (name: string): Buffer | null => {
  const v = fixture(name).message.value;
  return v === null || v === undefined ? null : Buffer.from(v as string);
};
