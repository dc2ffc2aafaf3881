import { z } from 'zod';
import { CDC_TABLES, isCdcTable, tableDef, type CdcTable } from '../migrations/catalog.ts';
import { parseLossless } from './json.ts';
import { PRIMARY_KEYS, ROW_SCHEMAS } from './rows.ts';
import { mustCompile, type Check } from './shape.ts';

/**
 * Decodes one message of the ScyllaDB CDC Source Connector (advanced output format, JSON converter
 * without schemas; docs/notes/scylla-cdc.md). bigint/counter columns and ts_ns can exceed
 * 2^53, so the text is parsed losslessly: unsafe integers become bigint, the rest stay numbers.
 */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly kind: 'unparseable' | 'unknown-table' | 'schema-mismatch',
    message: string,
  ) {
    super(message);
  }
}

export interface ChangeEvent {
  table: CdcTable;
  op: 'c' | 'u' | 'd';
  /** Change time in microseconds (source.ts_us, else source.ts_ms * 1000), as a decimal string. */
  tsUs: string;
  /** Source time in ms, for the "age of the last event" metric. */
  tsMs: number;
  key: Record<string, unknown>;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export type Decoded = { kind: 'tombstone' } | { kind: 'heartbeat' } | { kind: 'change'; event: ChangeEvent };

const int = z.union([z.number().int(), z.bigint()]);
/** The envelope fields the projector reads (exported for the tests). */
export const ENVELOPE = z.looseObject({
  source: z.looseObject({
    ts_ms: int,
    ts_us: int.nullish(),
    keyspace_name: z.string().nullish(),
    table_name: z.string().nullish(),
  }),
  op: z.enum(['c', 'u', 'd']),
  key: z.record(z.string(), z.unknown()).nullish(),
  before: z.record(z.string(), z.unknown()).nullish(),
  after: z.record(z.string(), z.unknown()).nullish(),
});

type Envelope = z.infer<typeof ENVELOPE>;
// zod decides and names the field for anything these fast checks do not accept (src/cdc/shape.ts).
const ENVELOPE_OK = mustCompile(ENVELOPE);
const ROW_OK = Object.fromEntries(Object.entries(ROW_SCHEMAS).map(([t, s]) => [t, mustCompile(s)])) as Record<
  CdcTable,
  Check
>;

const issues = (e: z.ZodError): string =>
  e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

function image(
  t: CdcTable,
  name: 'before' | 'after',
  v: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (ROW_OK[t](v)) return v;
  const r = ROW_SCHEMAS[t].safeParse(v);
  if (!r.success) throw new DecodeError('schema-mismatch', `${t}.${name}: ${issues(r.error)}`);
  return r.data as Record<string, unknown>;
}

// The last topic's table (a batch is one topic): saves building and matching the prefix per message.
let last: { topic: string; prefix: string; keyspace: string; table: CdcTable } | undefined;

function tableOf(topic: string, expect: { topicPrefix: string; keyspace: string }): CdcTable {
  if (last && topic === last.topic && expect.topicPrefix === last.prefix && expect.keyspace === last.keyspace)
    return last.table;
  const base = `${expect.topicPrefix}.${expect.keyspace}.`;
  const table = topic.startsWith(base) ? topic.slice(base.length) : '';
  if (!isCdcTable(table)) {
    throw new DecodeError(
      'unknown-table',
      `topic "${topic}" is not one of ${CDC_TABLES.map((t) => base + t).join(', ')}`,
    );
  }
  last = { topic, prefix: expect.topicPrefix, keyspace: expect.keyspace, table };
  return table;
}

/** Topic <prefix>.<keyspace>.<table>; the heartbeat topic is __debezium-heartbeat.<prefix>. */
export function decode(
  topic: string,
  value: Buffer | null,
  expect: { topicPrefix: string; keyspace: string },
): Decoded {
  if (topic.startsWith('__debezium-heartbeat')) return { kind: 'heartbeat' };
  const table = tableOf(topic, expect);
  // A delete is followed by a tombstone (same key, null value) for log compaction: nothing to apply.
  if (value === null || value.length === 0) return { kind: 'tombstone' };
  let raw: unknown;
  try {
    raw = parseLossless(value.toString('utf8'));
  } catch (err) {
    throw new DecodeError('unparseable', `not JSON: ${(err as Error).message}`);
  }
  if (raw && typeof raw === 'object' && 'payload' in raw && 'schema' in raw)
    raw = (raw as { payload: unknown }).payload;
  let e: Envelope;
  if (ENVELOPE_OK(raw)) e = raw as Envelope;
  else {
    const env = ENVELOPE.safeParse(raw);
    if (!env.success) throw new DecodeError('schema-mismatch', `not a connector envelope: ${issues(env.error)}`);
    e = env.data;
  }
  if (e.source.table_name && e.source.table_name !== table) {
    throw new DecodeError(
      'schema-mismatch',
      `source.table_name "${e.source.table_name}" does not match topic "${topic}"`,
    );
  }
  const t = table;
  const before = image(t, 'before', e.before);
  const after = image(t, 'after', e.after);
  if (e.op !== 'd' && !after)
    throw new DecodeError(
      'schema-mismatch',
      `op "${e.op}" without an after image: enable postimage and cdc.include.after=full`,
    );
  const key = e.key ?? after ?? before;
  if (!key) throw new DecodeError('schema-mismatch', 'a delete with neither key nor before image');
  // Without images, the key alone must name the row (a delete without preimage).
  const row = after ?? before ?? key;
  const named = (c: string) => typeof row[c] === (tableDef(t).columns[c] === 'text' ? 'string' : 'number');
  for (const c of PRIMARY_KEYS[t].partition) {
    if (!named(c)) {
      const missing = PRIMARY_KEYS[t].partition.filter((x) => !named(x));
      throw new DecodeError('schema-mismatch', `${t}: no ${missing.join(', ')} in the key or images`);
    }
  }
  const { ts_us: us, ts_ms: ms } = e.source;
  // A number here is a safe integer (the shape check), whose decimal text is BigInt's.
  const tsUs =
    typeof us === 'number'
      ? String(us)
      : us !== null && us !== undefined
        ? us.toString()
        : (BigInt(ms) * 1000n).toString();
  return { kind: 'change', event: { table: t, op: e.op, tsUs, tsMs: Number(ms), key, before, after } };
}
