import type { Message } from 'kafkajs';
import { stringify } from 'lossless-json';
import { StepType } from '../domain/step-types.ts';

/**
 * Synthetic CDC events for the projector benchmark: steps_by_turn inserts in the connector's format
 * (the most frequent event and the one with the most read-model writes: step list, latency zset,
 * and label/language entries for a quarter of them). Event i is a distinct row, so none is a
 * duplicate the guard would skip. The envelope has every field the connector (and the stand-in,
 * src/cdc/standin/executor.ts) writes, including `source.ts_ns` and the top-level `ts_us`/`ts_ns`:
 * ts_ns exceeds 2^53, so every message has an integer the lossless decoder must keep exact.
 */
const TYPES = [
  StepType.Think,
  StepType.Text,
  StepType.Code,
  StepType.TurnClassifier,
  StepType.LangDetection,
  StepType.WebSearch,
];
const BASE_MS = Date.UTC(2026, 9, 1);

export function stepEvent(run: string, i: number, keyspace: string, topicPrefix: string): Message {
  const turn = `trn_${run}_${Math.floor(i / 8)}`;
  const idx = i % 8;
  const type = TYPES[i % TYPES.length]!;
  const content =
    type === StepType.TurnClassifier
      ? { label: ['bug_report', 'question', 'praise'][i % 3], score: (i % 1000) / 1000 }
      : type === StepType.LangDetection
        ? { language: ['en', 'de', 'fr'][i % 3], confidence: 0.9 }
        : { text: `step ${i}` };
  const turnAt = BASE_MS + Math.floor(i / 8) * 1000;
  const after = {
    turn_id: turn,
    idx,
    session_id: `ses_${run}_${Math.floor(i / 64)}`,
    account_id: `acct_${i % 50}`,
    step_type: type,
    content: JSON.stringify(content),
    created_at: turnAt + idx * 100,
    duration_ms: (i * 7919) % 5000,
    turn_created_at: turnAt,
  };
  const us = BigInt(Date.now()) * 1000n + BigInt(i % 1000);
  const nowMs = Date.now();
  const value = {
    source: {
      version: 'bench',
      connector: 'scylla',
      name: topicPrefix,
      ts_ms: Number(us / 1000n),
      ts_us: us,
      ts_ns: us * 1000n,
      snapshot: 'false',
      db: keyspace,
      keyspace_name: keyspace,
      table_name: 'steps_by_turn',
    },
    before: null,
    after,
    key: { turn_id: turn, idx },
    op: 'c',
    ts_ms: nowMs,
    ts_us: BigInt(nowMs) * 1000n,
    ts_ns: BigInt(nowMs) * 1_000_000n,
    transaction: null,
  };
  return { key: JSON.stringify({ turn_id: turn, idx }), value: stringify(value)! };
}
