import { INDEXES, type IndexDef } from '../indexes.ts';
import { VARIANTS } from './variants.ts';

/**
 * What the study compares. The baseline is not "primary keys only" but what a careful designer
 * adds anyway: an index on every foreign-key column (PostgreSQL indexes the referenced side only,
 * and without these every delete scans the referencing table) and on the tenant key. A candidate
 * earns its place only by what it adds on top of that.
 */
const BASELINE: readonly IndexDef[] = [
  ...INDEXES.filter((d) => d.name === 'human_turns_parent' || d.name === 'agent_turns_parent'),
  {
    name: 'fk_human_turns_session',
    table: 'human_turns',
    kind: 'btree',
    definition: '(session_uid)',
    serves: 'the foreign key to sessions',
  },
  {
    name: 'fk_agent_turns_session',
    table: 'agent_turns',
    kind: 'btree',
    definition: '(session_uid)',
    serves: 'the foreign key to sessions',
  },
  {
    name: 'fk_sessions_account',
    table: 'sessions',
    kind: 'btree',
    definition: '(account_uid)',
    serves: 'the tenant key every account query starts from',
  },
];

/** Measured for comparison, not in the migrations: the alternatives the recommended ones are judged against. */
const STUDY_ONLY: readonly IndexDef[] = [
  {
    name: 'steps_created_btree',
    table: 'steps',
    kind: 'btree',
    definition: '(created_at)',
    serves: 'T1, compared with the BRIN',
  },
  {
    name: 'steps_pending_by_turn',
    table: 'steps',
    kind: 'partial',
    definition: '(agent_turn_uid) WHERE tpe = 10',
    serves: 'the partial index v2 shipped for pending inputs (keyed on the turn): measured against its replacement',
  },
  {
    name: 'steps_turn_covering',
    table: 'steps',
    kind: 'covering',
    definition: '(agent_turn_uid, idx) INCLUDE (tpe, duration_ms)',
    serves: 'A2/A3 (type counts and latency percentiles) from the index alone, without the steps heap',
  },
];

const baselineNames = new Set(BASELINE.map((d) => d.name));
/** Every index a configuration can add to the baseline. */
export const CANDIDATES: readonly IndexDef[] = [
  ...INDEXES.filter((d) => !baselineNames.has(d.name)),
  ...STUDY_ONLY,
  ...VARIANTS.map((v) => v.index),
];

export const ALL_DEFS: readonly IndexDef[] = [...BASELINE, ...CANDIDATES];

/**
 * Alternatives: each of these answers the same query as the index it names, the one the migrations
 * ship. "all" holds the shipped one only, and an alternative is judged in "all" with it in that
 * one's place: with both present the leave-one-out of either would hide behind the other.
 */
export const INSTEAD_OF: Readonly<Record<string, string>> = {
  steps_created_btree: 'steps_created_brin',
  steps_pending_by_turn: 'steps_pending_oldest',
  steps_label_score: 'steps_classifier_label',
};
for (const [alt, shipped] of Object.entries(INSTEAD_OF)) {
  if (!CANDIDATES.some((d) => d.name === alt) || !CANDIDATES.some((d) => d.name === shipped))
    throw new Error(`configs.ts INSTEAD_OF: ${alt} -> ${shipped} names an index that is not a candidate`);
}

export interface Config {
  name: string;
  /** Candidates visible to the planner; every other candidate is hidden (the baseline never is). */
  visible: readonly string[];
}

export const BASE = 'baseline';
export const ALL = 'all';
export const alone = (ix: string) => `+${ix}`;

/** Every candidate but the alternatives: the schema as shipped with every other candidate added. */
const ALL_VISIBLE = CANDIDATES.map((d) => d.name).filter((n) => !(n in INSTEAD_OF));

/** The "all" an index is judged in: "all" itself, or for an alternative "all" with it in its shipped index's place. */
function allWith(ix: string): Config {
  const shipped = INSTEAD_OF[ix];
  if (shipped === undefined) return { name: ALL, visible: ALL_VISIBLE };
  return { name: `all, ${ix} for ${shipped}`, visible: [...ALL_VISIBLE.filter((n) => n !== shipped), ix] };
}

/** allWith(ix) less ix: for an alternative that is "all" less its shipped index, so the two share it. */
function allWithout(ix: string): Config {
  const shipped = INSTEAD_OF[ix] ?? ix;
  return { name: `all -${shipped}`, visible: ALL_VISIBLE.filter((n) => n !== shipped) };
}

/** The leave-one-out pair that says what an index adds when the others are there: [without it, with it]. */
export const leaveOneOut = (ix: string): [string, string] => [allWithout(ix).name, allWith(ix).name];

/**
 * The configurations a case is timed in: the baseline, each candidate that may serve it alone on
 * top of it, all candidates together, and all but each of those (leave-one-out: what an index adds
 * when the others are there, which is the question a keep-or-drop decision asks); an alternative
 * adds "all" with it in its shipped index's place, and shares "all" less that index.
 */
export function configsFor(candidates: readonly string[]): Config[] {
  const configs = [
    { name: BASE, visible: [] },
    ...candidates.map((ix) => ({ name: alone(ix), visible: [ix] })),
    { name: ALL, visible: ALL_VISIBLE },
    ...candidates.flatMap((ix) => [allWith(ix), allWithout(ix)]),
  ];
  return configs.filter((k, i) => configs.findIndex((o) => o.name === k.name) === i);
}
