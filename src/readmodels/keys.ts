/**
 * The Redis key layout of the read models (docs/read-side.md has the table). Every key of one
 * read-model generation starts with `<base>:<generation>:`, so a rebuild writes a fresh generation
 * beside the live one and the old one is dropped by prefix. Ids never contain ':' (checkId), and
 * the unit separator \x1f joins composite members.
 */
export const SEP = '\x1f';

export class Keys {
  constructor(readonly prefix: string) {}
  /**
   * The generation's retirement marker, set when a rebuild drops it (dropGeneration): the prefix
   * itself, which `<prefix>:*` does not match, so dropping the keys leaves it; the apply script
   * refuses to write a retired generation.
   */
  get retired(): string {
    return this.prefix;
  }
  private k(...parts: (string | number)[]): string {
    return `${this.prefix}:${parts.join(':')}`;
  }
  /** Version guard of one CDC row: hash per table partition, field = clustering key, value = ts_us. */
  guard(table: string, partition: string): string {
    return this.k('g', table, partition);
  }
  /** P5/P2: hash a (account), t (title), c (created ms), la (last activity ms, a max-register). */
  session(sid: string): string {
    return this.k('s', sid);
  }
  /** P2: zset score = created ms, member = session id (ZREVRANGE gives created DESC, id DESC). */
  accountSessions(acct: string): string {
    return this.k('as', acct);
  }
  /** P1/P4: the session timeline, hash turnId -> JSON {r, p, c, pr}. */
  timeline(sid: string): string {
    return this.k('tl', sid);
  }
  /** P1: the active-branch cache, hash parent turnId ('' = session root) -> shown child. */
  active(sid: string): string {
    return this.k('ac', sid);
  }
  /** P4: zset score = created ms, member = turn id, per (session, parent). */
  siblings(sid: string, parent: string): string {
    return this.k('sib', sid, parent);
  }
  /** P4: turn id -> "<sessionId>\x1f<parentId>". */
  turn(turnId: string): string {
    return this.k('tr', turnId);
  }
  /** P5: set of turn ids per session and role. */
  turnsOfRole(sid: string, role: string): string {
    return this.k('tc', sid, role);
  }
  /** P3: zset score = idx, member = idx; and hash idx -> JSON {y, c, d}. */
  stepOrder(turnId: string): string {
    return this.k('st', turnId);
  }
  stepContent(turnId: string): string {
    return this.k('sc', turnId);
  }
  /** A1: set of turn ids per account, day and role. */
  turnsByDay(acct: string, day: string, role: string): string {
    return this.k('td', acct, day, role);
  }
  /** A2 (ZCARD) and A3 (sorted durations): zset score = duration ms, member = "<turnId>\x1f<idx>". */
  latency(acct: string, day: string, type: number): string {
    return this.k('lat', acct, day, type);
  }
  /** A5: hash "<sessionId>\x1f<turnId>\x1f<idx>" -> JSON {q, c}, per account and asking turn's day. */
  pending(acct: string, day: string): string {
    return this.k('pi', acct, day);
  }
  /** A6: hash "<turnId>\x1f<idx>" -> language. */
  languages(acct: string, day: string): string {
    return this.k('lang', acct, day);
  }
  /** E2: hash "<turnId>\x1f<idx>" -> classifier label. */
  labels(acct: string, day: string): string {
    return this.k('cls', acct, day);
  }
  /** E1: zset score = classifier score, member = "<turnId>\x1f<idx>\x1f<sessionId>". */
  labelScores(acct: string, day: string, label: string): string {
    return this.k('clsz', acct, day, label);
  }
  /** E3: set of agent turn ids per agent version and day. */
  agentVersion(version: string, day: string): string {
    return this.k('ver', version, day);
  }
  /**
   * Version regression: hash idx -> JSON [type, duration ms, classifier label or null], per turn. A step
   * row has no agent version, so the report joins ver:<version>:<day> to these at query time; compact so
   * that join never reads step content.
   */
  stepMetrics(turnId: string): string {
    return this.k('sm', turnId);
  }
  /**
   * Time to first step: zset score = step created_at - turn created_at (ms), member = "<turnId>\x1f<idx>",
   * per account, turn day and step type. One entry per step, not per turn: a per-turn minimum could
   * not be undone when its step is deleted, so the query takes each turn's lowest idx.
   */
  stepOffsets(acct: string, day: string, type: number): string {
    return this.k('off', acct, day, type);
  }
  /** Daily active accounts: HyperLogLog of account ids with a turn that day. */
  activeAccounts(day: string): string {
    return this.k('dau', day);
  }
}
