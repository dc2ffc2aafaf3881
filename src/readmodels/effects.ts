import { DecodeError, type ChangeEvent } from '../cdc/envelope.ts';
import { PRIMARY_KEYS } from '../cdc/rows.ts';
import { StepType } from '../domain/step-types.ts';
import type { CdcTable, ImageOf } from '../migrations/catalog.ts';
import { Keys, SEP } from './keys.ts';
import { transition, inverse, type Op } from './ops.ts';

/**
 * What one change event does to the read models: pure, from the event alone. Each table's row maps
 * to the set of index entries it contributes (rowOps); an update moves from the before image's
 * entries to the after image's, a delete removes the before image's (or, without a preimage, what
 * the key alone identifies).
 *
 * Guard modes: 'lww' rows (turns, steps, pending inputs, the static active_root) apply only an event
 * newer (ts_us) than the last one applied to that row, so duplicates and older versions are no-ops.
 * `sessions` is 'free': its cells are set-once (the write side claims the row with an LWT) or a
 * max-register (last_activity, written USING TIMESTAMP <activity time>, so its change time is in
 * the past and an ordering guard would wrongly drop it); those ops commute, and only a delete
 * records a guard that older events then respect.
 */
export interface Effect {
  guardKey: string;
  guardField: string;
  /** 'lww' and deletes write the guard; 'free' only reads it. */
  writeGuard: boolean;
  ops: Op[];
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const keyText = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/**
 * What a table's op function sees: the image's never-null columns (its key, which decode checked),
 * every other column possibly null or absent (a delete without preimage names only the key).
 */
type Seen<T extends CdcTable, I = ImageOf<T>> = { [C in keyof I as null extends I[C] ? never : C]: I[C] } & {
  [C in keyof I]?: I[C] | undefined;
};

function sessionOps(k: Keys, r: Seen<'sessions'>): Op[] {
  const sid = r.session_id;
  const acct = str(r.account_id);
  const created = num(r.created_at);
  const ops: Op[] = [];
  if (acct !== null) ops.push({ op: 'HSETNX', key: k.session(sid), a: 'a', b: acct });
  const title = str(r.title);
  if (title !== null) ops.push({ op: 'HSETNX', key: k.session(sid), a: 't', b: title });
  if (created !== null)
    ops.push(
      { op: 'HSETNX', key: k.session(sid), a: 'c', b: String(created) },
      { op: 'HMAX', key: k.session(sid), a: 'la', b: String(created) },
    );
  if (num(r.last_activity) !== null) ops.push({ op: 'HMAX', key: k.session(sid), a: 'la', b: String(r.last_activity) });
  if (acct !== null && created !== null)
    ops.push({ op: 'ZADD', key: k.accountSessions(acct), a: String(created), b: sid });
  return ops;
}

function turnOps(k: Keys, r: Seen<'turns_by_session'>): Op[] {
  const sid = r.session_id;
  const turnId = str(r.turn_id);
  if (turnId === null) {
    // The static row: the session's shown root.
    const root = str(r.active_root);
    return root === null ? [] : [{ op: 'HSET', key: k.active(sid), a: '', b: root }];
  }
  const parent = keyText(r.parent_id);
  const created = num(r.created_at);
  const role = str(r.role);
  const acct = str(r.account_id);
  const ops: Op[] = [{ op: 'SET', key: k.turn(turnId), a: `${sid}${SEP}${parent}` }];
  if (created !== null) ops.push({ op: 'ZADD', key: k.siblings(sid, parent), a: String(created), b: turnId });
  if (role !== null && created !== null) {
    ops.push(
      {
        op: 'HSET',
        key: k.timeline(sid),
        a: turnId,
        b: JSON.stringify({ r: role, p: parent, c: created, pr: str(r.prompt) ?? '' }),
      },
      { op: 'SADD', key: k.turnsOfRole(sid, role), a: turnId },
    );
    const d = day(created);
    if (acct !== null)
      ops.push(
        { op: 'SADD', key: k.turnsByDay(acct, d, role), a: turnId },
        { op: 'PFADD', key: k.activeAccounts(d), a: acct },
      );
    const version = str(r.agent_version);
    if (role === 'agent' && version) ops.push({ op: 'SADD', key: k.agentVersion(version, d), a: turnId });
  }
  const child = str(r.active_child);
  if (child !== null) ops.push({ op: 'HSET', key: k.active(sid), a: turnId, b: child });
  return ops;
}

function stepOps(k: Keys, r: Seen<'steps_by_turn'>): Op[] {
  const turnId = r.turn_id;
  const idx = r.idx;
  const type = num(r.step_type);
  const content = str(r.content);
  const duration = num(r.duration_ms);
  const ops: Op[] = [{ op: 'ZADD', key: k.stepOrder(turnId), a: String(idx), b: String(idx) }];
  ops.push({
    op: 'HSET',
    key: k.stepContent(turnId),
    a: String(idx),
    b: JSON.stringify({ y: type, c: content, d: duration }),
  });
  const acct = str(r.account_id);
  const turnAt = num(r.turn_created_at);
  if (acct === null || turnAt === null || type === null || duration === null) return ops;
  // Analytics bucket a step by its turn's day, as the write model does (src/store/writes.ts).
  const d = day(turnAt);
  const member = `${turnId}${SEP}${idx}`;
  ops.push({ op: 'ZADD', key: k.latency(acct, d, type), a: String(duration), b: member });
  const at = num(r.created_at);
  if (at !== null) ops.push({ op: 'ZADD', key: k.stepOffsets(acct, d, type), a: String(at - turnAt), b: member });
  let label: string | null = null;
  if (type === StepType.TurnClassifier || type === StepType.LangDetection) {
    let c: Record<string, unknown>;
    try {
      c = JSON.parse(content ?? '') as Record<string, unknown>;
    } catch {
      throw new DecodeError('schema-mismatch', `steps_by_turn.after.content of ${turnId}/${idx} is not JSON`);
    }
    if (type === StepType.TurnClassifier) {
      if (typeof c['label'] !== 'string' || typeof c['score'] !== 'number')
        throw new DecodeError('schema-mismatch', `TurnClassifier content of ${turnId}/${idx} lacks label/score`);
      label = c['label'];
      ops.push(
        { op: 'HSET', key: k.labels(acct, d), a: member, b: label },
        {
          op: 'ZADD',
          key: k.labelScores(acct, d, label),
          a: String(c['score']),
          b: `${member}${SEP}${str(r.session_id) ?? ''}`,
        },
      );
    } else {
      if (typeof c['language'] !== 'string')
        throw new DecodeError('schema-mismatch', `LangDetection content of ${turnId}/${idx} lacks language`);
      ops.push({ op: 'HSET', key: k.languages(acct, d), a: member, b: c['language'] });
    }
  }
  ops.push({ op: 'HSET', key: k.stepMetrics(turnId), a: String(idx), b: JSON.stringify([type, duration, label]) });
  return ops;
}

function pendingOps(k: Keys, r: Seen<'pending_inputs_by_account_day_bucket'>): Op[] {
  return [
    {
      op: 'HSET',
      key: k.pending(r.account_id, day(r.day * 86_400_000)),
      a: `${r.session_id}${SEP}${r.turn_id}${SEP}${r.idx}`,
      b: JSON.stringify({ q: str(r.question) ?? '', c: num(r.created_at) }),
    },
  ];
}

const ROW_OPS: { [T in CdcTable]: (k: Keys, r: Seen<T>) => Op[] } = {
  sessions: sessionOps,
  turns_by_session: turnOps,
  steps_by_turn: stepOps,
  pending_inputs_by_account_day_bucket: pendingOps,
};

export function effectOf(k: Keys, e: ChangeEvent): Effect {
  const pk = PRIMARY_KEYS[e.table];
  const id = e.after ?? e.before ?? e.key;
  const keyRow = { ...id, ...e.key };
  const guardKey = k.guard(e.table, pk.partition.map((c) => keyText(keyRow[c])).join(SEP));
  const clustering = pk.clustering.map((c) => keyText(keyRow[c]));
  const guardField = clustering.every((c) => c === '') ? '-' : clustering.join(SEP);
  // decode checked each image against its table's schema (src/cdc/rows.ts), so it is that table's Seen row.
  const rowOps = ROW_OPS[e.table] as (k: Keys, r: Record<string, unknown>) => Op[];
  const free = e.table === 'sessions';
  if (e.op === 'd') {
    const gone = e.before ? rowOps(k, e.before) : rowOps(k, keyRow);
    const ops = gone.map(inverse).filter((o): o is Op => o !== null);
    if (e.table === 'sessions') ops.push({ op: 'DEL', key: k.session(String(keyRow['session_id'])) });
    return { guardKey, guardField, writeGuard: true, ops };
  }
  const ops = e.before ? transition(rowOps(k, e.before), rowOps(k, e.after!)) : rowOps(k, e.after!);
  return { guardKey, guardField, writeGuard: !free, ops };
}
