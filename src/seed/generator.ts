import type { Role, Session, Step, Turn } from '../domain/model.ts';
import { StepType } from '../domain/step-types.ts';
import { ROOT } from '../store/writes.ts';
import {
  answerPrompt,
  buildStep,
  editedPrompt,
  humanPrompt,
  newVars,
  sessionTitle,
  type BuiltStep,
  type Exchange,
} from './content.ts';
import {
  LABELS,
  LANGUAGE_UTC_OFFSETS,
  LANGUAGE_WEIGHTS,
  LANGUAGES,
  PROFILES,
  SUBJECTS,
  type Label,
  type Lang,
  type Profile,
} from './phrases.ts';
import { domainName, namesFor } from './names.ts';
import { base36, fold32, mix32, permute64, Rng } from './rng.ts';
import { CHURN, churnSchedules, rewritesOf, type Rewrite } from './churn.ts';
import type { BucketSchedule } from '../schema/buckets.ts';
import { plannedSchedules } from './schedules.ts';

/**
 * A deterministic synthetic dataset that looks like real agent traffic: skewed accounts, daily
 * rhythms, branching conversations with regenerations and edits, and every step type with content
 * its schema accepts. A session depends only on (config, index), so any session can be regenerated
 * on its own (the verifier samples them) and the whole dataset streams in constant memory.
 */

export interface SeedConfig {
  seed: number;
  sessions: number;
  accounts: number;
  days: number;
  /** 'YYYY-MM-DD', UTC, exclusive end. */
  endDate: string;
  /** Rewrites, races, regenerations and bucketed tenants (src/seed/churn.ts); on unless false. */
  churn?: boolean;
}

const churnOn = (config: SeedConfig): boolean => config.churn !== false;

export interface SessionModel {
  session: Session;
  /** Creation order. */
  turns: Turn[];
  /** By turn creation, then idx. */
  steps: Step[];
  /** Parent turn id, or ROOT ('') for the session's roots -> the child shown (active). */
  active: Map<string, string>;
  /**
   * Agent turn ids with an open InputRequest: an InputRequest among their (last) steps, no human
   * turn answering them, no newer agent turn answering the same human turn.
   */
  pending: Set<string>;
  /**
   * Earlier versions of the steps the churn mode rewrote, each replaced by the next version of the
   * same (turn, idx) and finally by the one in `steps`; by version time.
   */
  superseded: Step[];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Agent builds, oldest first: each one rolls out over part of the window, later ones later. */
export const AGENT_VERSIONS = ['atlas-3.8.2', 'atlas-3.9.0', 'atlas-3.9.1', 'atlas-4.0.0'] as const;
const ROLLOUT_AT = [0, 0.22, 0.5, 0.78];
const ROLLOUT_RAMP = 0.12;

/** Local hour of day -> relative activity: quiet nights, busy office hours, an evening bump. */
const HOUR_WEIGHTS = [
  1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4.5, 6.5, 7.5, 7, 5.5, 6.5, 7, 6.8, 6, 5, 4.2, 4.5, 5, 4.5, 3.2, 1.8,
];

const TOOL_TYPES = [
  StepType.Retrieval,
  StepType.WebSearch,
  StepType.Code,
  StepType.Plot,
  StepType.Table,
  StepType.Document,
  StepType.Card,
  StepType.Audio,
] as const;

interface Shape {
  /** Weights over LABELS. */
  labels: readonly number[];
  /** Weights over TOOL_TYPES. */
  tools: readonly number[];
  /** Weights for 0, 1, 2, 3 tool steps. */
  toolCount: readonly number[];
  think: number;
  /** Mean extra exchanges after the first. */
  exchanges: number;
}

const SHAPES: Record<Profile, Shape> = {
  developer: {
    labels: [22, 28, 25, 8, 6, 5, 6],
    tools: [30, 25, 35, 3, 5, 8, 6, 1],
    toolCount: [25, 42, 24, 9],
    think: 0.85,
    exchanges: 2.5,
  },
  analyst: {
    labels: [25, 30, 10, 10, 6, 8, 11],
    tools: [20, 10, 25, 25, 25, 8, 4, 1],
    toolCount: [20, 40, 28, 12],
    think: 0.8,
    exchanges: 2.3,
  },
  support: {
    labels: [20, 22, 18, 14, 14, 6, 6],
    tools: [40, 8, 3, 2, 8, 15, 25, 3],
    toolCount: [30, 45, 20, 5],
    think: 0.6,
    exchanges: 1.7,
  },
  researcher: {
    labels: [45, 20, 4, 5, 5, 8, 13],
    tools: [25, 40, 5, 10, 8, 20, 3, 3],
    toolCount: [20, 40, 28, 12],
    think: 0.9,
    exchanges: 2.7,
  },
  casual: {
    labels: [30, 25, 3, 4, 6, 12, 20],
    tools: [5, 40, 2, 3, 5, 4, 25, 18],
    toolCount: [40, 38, 17, 5],
    think: 0.5,
    exchanges: 1.9,
  },
};

/** One stream per session, reseeded per session (cheap): every random choice comes from it. */
const rng = new Rng(0);

const SALT_PICK = 0x7069636b;
const SALT_ACCOUNT = 0x61636374;
const SALT_SESSION = 0x73657373;
const SALT_CHURN = 0x63687572;

let zipf: { n: number; cdf: Float64Array } | undefined;

/** Account ranks follow Zipf (s = 1.1): account 0 is the most active. */
function drawAccount(n: number, u: number): number {
  if (zipf?.n !== n) {
    const cdf = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) cdf[k] = total += 1 / Math.pow(k + 1, 1.1);
    zipf = { n, cdf };
  }
  const { cdf } = zipf;
  const x = u * cdf[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Distinct per seed (the tag is a bijection of the seed), so two seeds never share an account either. */
export function accountIdOf(config: SeedConfig, accountIndex: number): string {
  return `acct_${base36(mix32((fold32(config.seed) ^ 0xacc7) >>> 0))}_${accountIndex}`;
}

interface Account {
  id: string;
  lang: Lang;
  utcOffset: number;
  profile: Profile;
  activity: number;
  domain: string;
}

function accountOf(config: SeedConfig, k: number): Account {
  rng.seed([config.seed, k, SALT_ACCOUNT]);
  const lang = LANGUAGES[rng.weighted(LANGUAGE_WEIGHTS)]!;
  return {
    id: accountIdOf(config, k),
    lang,
    utcOffset: rng.pick(LANGUAGE_UTC_OFFSETS[lang]),
    profile: PROFILES[rng.weighted([34, 20, 16, 10, 20])]!,
    activity: 0.6 + rng.next() * 0.8,
    domain: domainName(rng),
  };
}

interface Draft {
  id: string;
  role: Role;
  parent: Draft | null;
  prompt: string;
  at: number;
  end: number;
  steps: BuiltStep[];
  /** Set on an agent turn that ends with an InputRequest: the options it offered (maybe none). */
  ask?: readonly string[];
  /** What an agent turn answered: its steps' rewrites are built from it. */
  exchange?: Exchange;
  /** Churn: per step idx, its later versions. */
  rewrites?: Rewrite[][];
}

/** A session's key: a permutation of (seed, index), so ids never collide across sessions or seeds. */
function sessionKey(config: SeedConfig, index: number): [string, number] {
  const [l, r] = permute64(fold32(config.seed), index >>> 0, 0x5e551d);
  return [base36(l) + base36(r), mix32(l ^ r)];
}

export function generateSession(config: SeedConfig, index: number): SessionModel {
  const churn = churnOn(config);
  const windowEnd = Date.parse(`${config.endDate}T00:00:00Z`);
  const windowStart = windowEnd - config.days * DAY_MS;
  rng.seed([config.seed, index, SALT_PICK]);
  const account = accountOf(config, drawAccount(Math.max(1, config.accounts), rng.next()));
  rng.seed([config.seed, index, SALT_SESSION]);

  const shape = SHAPES[account.profile];
  const lang: Lang =
    account.lang !== 'en' ? (rng.chance(0.9) ? account.lang : 'en') : rng.chance(0.03) ? rng.pick(LANGUAGES) : 'en';
  const names = namesFor(lang, rng);
  const [key, salt] = sessionKey(config, index);
  const sessionId = `ses_${key}`;
  let seq = 0;
  const nextTurnId = (): string => `trn_${key}${base36((seq++ * 28657 + salt) % 46656, 3)}`;

  // When: a weekday more often than a weekend, an hour by the account's local rhythm.
  let day = rng.int(0, config.days - 1);
  for (
    let tries = 0;
    tries < 8 && [0, 6].includes(new Date(windowStart + day * DAY_MS).getUTCDay()) && rng.chance(0.45);
    tries++
  ) {
    day = rng.int(0, config.days - 1);
  }
  const start =
    windowStart +
    day * DAY_MS +
    Math.round((rng.weighted(HOUR_WEIGHTS) - account.utcOffset) * HOUR_MS) +
    rng.int(0, HOUR_MS - 1);

  const drafts: Draft[] = [];
  const children = new Map<string, Draft[]>();
  let agentTurns = 0;

  let subject = rng.pick(SUBJECTS[account.profile]);
  const exchange = (label: Label): Exchange => ({
    rng,
    names,
    profile: account.profile,
    lang,
    label,
    subject,
    vars: newVars(rng, names, account.profile, subject, account.domain),
  });
  const pickLabel = (later: boolean): Label => {
    const w = later ? shape.labels.map((v, i) => (LABELS[i] === 'praise' ? v * 2.5 : v)) : shape.labels;
    return LABELS[rng.weighted(w)]!;
  };

  const add = (d: Draft): Draft => {
    drafts.push(d);
    const k = d.parent ? d.parent.id : ROOT;
    (children.get(k) ?? children.set(k, []).get(k)!).push(d);
    return d;
  };
  const human = (parent: Draft | null, prompt: string, at: number): Draft =>
    add({ id: nextTurnId(), role: 'human', parent, prompt, at, end: at, steps: [] });

  const agent = (h: Draft, x: Exchange, at: number, voice: boolean): Draft => {
    const types: StepType[] = [];
    if (agentTurns === 0 || h.parent === null ? rng.chance(0.85) : rng.chance(0.05)) types.push(StepType.LangDetection);
    if (rng.chance(0.92)) types.push(StepType.TurnClassifier);
    const light = x.label === 'praise' || x.label === 'chitchat';
    if (rng.chance(light ? 0.2 : shape.think)) types.push(StepType.Think);
    const count = light ? (rng.chance(0.1) ? 1 : 0) : rng.weighted(shape.toolCount);
    const weights = shape.tools.slice();
    for (let i = 0; i < count; i++) {
      const j = rng.weighted(weights);
      weights[j] = 0;
      types.push(TOOL_TYPES[j]!);
    }
    if (voice && !types.includes(StepType.Audio)) types.push(StepType.Audio);
    types.push(!light && rng.chance(churn ? CHURN.askRate : 0.085) ? StepType.InputRequest : StepType.Text);
    const extra = { labels: LABELS, promptLength: h.prompt.length };
    const steps = types.map((t) => buildStep(t, x, extra));
    let end = at;
    for (const s of steps) end += s.durationMs;
    const last = steps[steps.length - 1]!;
    agentTurns++;
    return add({
      id: nextTurnId(),
      role: 'agent',
      parent: h,
      prompt: '',
      at,
      end,
      steps,
      exchange: x,
      ...(last.type === StepType.InputRequest ? { ask: last.options ?? [] } : {}),
    });
  };

  const voice = account.profile === 'casual' ? rng.chance(0.15) : rng.chance(0.03);
  /** The human reads, thinks and types; now and then they come back much later. Sessions stay within ~8 hours. */
  const pause = (from: number, median: number): number => {
    let ms = rng.lognormal(median, 0.8, 2500, 900_000);
    if (rng.chance(0.05)) ms += rng.lognormal(40 * 60_000, 0.6, 600_000, 3 * HOUR_MS);
    return from + (from - start > 6 * HOUR_MS ? Math.min(ms, 120_000) : ms);
  };
  const reply = (parent: Draft | null, x: Exchange, at: number, edited: boolean): Draft => {
    const prompt = parent?.ask ? answerPrompt(x, parent.ask) : edited ? editedPrompt(x) : humanPrompt(x);
    const h = human(parent, prompt, at);
    return agent(h, x, at + rng.lognormal(350, 0.5, 60, 3000), voice);
  };
  /** A short continuation of a branch the user is about to leave (by regenerating or editing above it). */
  const continueBranch = (from: Draft, current: Exchange): number => {
    for (let c = rng.chance(0.7) ? 1 : 2; c > 0; c--) {
      from = reply(from, from.ask ? current : exchange(pickLabel(true)), pause(from.end, 30_000), false);
    }
    return from.end;
  };

  const exchanges = 1 + Math.min(11, Math.floor(-Math.log(1 - rng.next()) * shape.exchanges * account.activity));
  let x = exchange(pickLabel(false));
  const title = sessionTitle(x);
  let tip: Draft | null = null;
  let clock = start + rng.int(20, 400);
  for (let k = 0; k < exchanges; k++) {
    if (k > 0 && !tip?.ask) {
      if (rng.chance(0.25)) subject = rng.pick(SUBJECTS[account.profile]);
      x = exchange(pickLabel(true));
    }
    // Churn: a question is answered at once, racing the write of its pending row.
    if (k > 0) clock = churn && tip?.ask ? clock + rng.int(150, 1500) : pause(clock, 35_000);
    let a = reply(tip, x, clock, false);
    clock = a.end;
    const h = a.parent!;
    if (churn && a.ask && rng.chance(CHURN.regenerateAsking)) {
      clock = pause(clock, 8_000);
      a = agent(h, x, clock, voice);
      clock = a.end;
    }
    if (rng.chance(0.15)) {
      if (k < exchanges - 1 && rng.chance(0.3)) clock = continueBranch(a, x);
      for (let r = rng.chance(0.75) ? 1 : 2; r > 0; r--) {
        clock = pause(clock, 8_000);
        a = agent(h, x, clock, voice);
        clock = a.end;
      }
    }
    if (rng.chance(0.08)) {
      if (rng.chance(0.3)) clock = continueBranch(a, x);
      a = reply(h.parent, x, pause(clock, 25_000), true);
      clock = a.end;
    }
    tip = a;
  }

  // Shown children: the newest, unless the user switched back to an older one.
  const active = new Map<string, string>();
  for (const [parent, kids] of children) {
    const shown = kids.length > 1 && rng.chance(0.1) ? kids[rng.int(0, kids.length - 2)]! : kids[kids.length - 1]!;
    active.set(parent, shown.id);
  }
  const adopt = rng.next();
  if (churn) {
    rng.seed([config.seed, index, SALT_CHURN]);
    for (const d of drafts)
      if (d.exchange)
        d.rewrites = rewritesOf(d.steps, d.exchange, { labels: LABELS, promptLength: d.parent!.prompt.length }, rng);
  }
  // A rewrite happens after its step: the session ends with its last version.
  for (const d of drafts) {
    let t = d.at;
    d.steps.forEach((s, idx) => {
      let v = t;
      for (const r of d.rewrites?.[idx] ?? []) v += r.delayMs;
      d.end = Math.max(d.end, v);
      t += s.durationMs;
    });
  }

  // Fit the session inside [windowStart, windowEnd): by whole days (keeping the hour of day) when possible.
  let last = start;
  for (const d of drafts) if (d.end > last) last = d.end;
  let shift = start < windowStart ? DAY_MS * Math.ceil((windowStart - start) / DAY_MS) : 0;
  if (last + shift >= windowEnd) shift -= DAY_MS * Math.ceil((last + shift - windowEnd + 1) / DAY_MS);
  if (start + shift < windowStart) shift = Math.min(windowStart - start, windowEnd - 1 - last);

  const versionAt = (at: number): string => {
    const pos = (at - windowStart) / (windowEnd - windowStart);
    let v = 0;
    for (let i = 1; i < AGENT_VERSIONS.length; i++) if ((pos - ROLLOUT_AT[i]!) / ROLLOUT_RAMP > adopt) v = i;
    return AGENT_VERSIONS[v]!;
  };

  const accountId = account.id;
  const session: Session = { sessionId, accountId, title, createdAt: new Date(start + shift) };
  const turns: Turn[] = [];
  const steps: Step[] = [];
  const superseded: Step[] = [];
  for (const d of drafts) {
    const at = d.at + shift;
    turns.push({
      turnId: d.id,
      sessionId,
      accountId,
      role: d.role,
      parentId: d.parent ? d.parent.id : null,
      prompt: d.prompt,
      agentVersion: d.role === 'agent' ? versionAt(at) : null,
      createdAt: new Date(at),
    });
    let t = at;
    d.steps.forEach((s, idx) => {
      const versions = [{ step: s, at: t }];
      for (const r of d.rewrites?.[idx] ?? []) versions.push({ step: r.step, at: versions.at(-1)!.at + r.delayMs });
      const made = versions.map((v) => ({
        turnId: d.id,
        sessionId,
        accountId,
        idx,
        type: v.step.type,
        content: v.step.content,
        createdAt: new Date(v.at),
        durationMs: v.step.durationMs,
      }));
      steps.push(made.pop()!);
      superseded.push(...made);
      t += s.durationMs;
    });
  }
  superseded.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return { session, turns, steps, active, pending: openRequests(turns, steps), superseded };
}

/**
 * The agent turns whose InputRequest is still open: one among their last steps, no human turn
 * answering them, no newer agent turn for the same human turn (src/domain/queries.ts, A5).
 */
export function openRequests(turns: readonly Turn[], steps: readonly Step[]): Set<string> {
  const asking = new Set(steps.filter((s) => s.type === StepType.InputRequest).map((s) => s.turnId));
  const answered = new Set(turns.filter((t) => t.role === 'human' && t.parentId).map((t) => t.parentId!));
  const newest = new Map<string, Turn>();
  for (const t of turns) {
    if (t.role !== 'agent') continue;
    const seen = newest.get(t.parentId!);
    if (!seen || laterTurn(t, seen)) newest.set(t.parentId!, t);
  }
  return new Set(
    turns
      .filter((t) => asking.has(t.turnId) && !answered.has(t.turnId) && newest.get(t.parentId!) === t)
      .map((t) => t.turnId),
  );
}

/** Turn order everywhere (P4 siblings, regenerations): created_at, then turn id. */
export const laterTurn = (a: Pick<Turn, 'createdAt' | 'turnId'>, b: Pick<Turn, 'createdAt' | 'turnId'>): boolean =>
  a.createdAt.getTime() > b.createdAt.getTime() ||
  (a.createdAt.getTime() === b.createdAt.getTime() && a.turnId > b.turnId);

/** The dataset's days, oldest first (UTC, 'YYYY-MM-DD'). */
export function windowDays(config: SeedConfig): string[] {
  const end = Date.parse(`${config.endDate}T00:00:00Z`);
  return Array.from({ length: config.days }, (_, i) =>
    new Date(end - (config.days - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/**
 * The dataset's bucketing schedules: the bucket policy's with hindsight (src/seed/schedules.ts, a
 * pass over the sessions), the churn mode's bucketed tenants at least. The seeder writes them first.
 */
export function datasetSchedules(config: SeedConfig): Map<string, BucketSchedule> {
  const floor = churnOn(config)
    ? churnSchedules((rank) => accountIdOf(config, rank), windowDays(config))
    : new Map<string, BucketSchedule>();
  return plannedSchedules(generateSessions(config), floor);
}

export function* generateSessions(config: SeedConfig): Generator<SessionModel> {
  for (let i = 0; i < config.sessions; i++) yield generateSession(config, i);
}
