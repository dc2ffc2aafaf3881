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

export interface Config {
  name: string;
  /** Candidates visible to the planner; every other candidate is hidden (the baseline never is). */
  visible: readonly string[];
}

export const BASE = 'baseline';
export const ALL = 'all';
export const alone = (ix: string) => `+${ix}`;
export const without = (ix: string) => `all -${ix}`;

/**
 * The configurations a case is timed in: the baseline, each candidate that may serve it alone on
 * top of it, all candidates together, and all but each of those (leave-one-out: what an index adds
 * when the others are there, which is the question a keep-or-drop decision asks).
 */
export function configsFor(candidates: readonly string[]): Config[] {
  const all = CANDIDATES.map((d) => d.name);
  return [
    { name: BASE, visible: [] },
    ...candidates.map((ix) => ({ name: alone(ix), visible: [ix] })),
    { name: ALL, visible: all },
    ...candidates.map((ix) => ({ name: without(ix), visible: all.filter((n) => n !== ix) })),
  ];
}
