/**
 * The secondary indexes, in one place: migration 002 creates them and the index study
 * (src/postgres/index-study/) measures each one against the query it is for. The primary keys
 * (sessions.uid, *_turns.uid, steps (agent_turn_uid, idx)) already serve P3 and every lookup by id.
 */
export interface IndexDef {
  name: string;
  /** steps_daily exists only in the index study (its rollup variant, index-study/variants.ts). */
  table: 'sessions' | 'human_turns' | 'agent_turns' | 'steps' | 'steps_daily';
  /** What follows `ON <table>`. */
  definition: string;
  kind: 'composite' | 'covering' | 'partial' | 'expression' | 'brin' | 'btree' | 'unique';
  serves: string;
}

export const INDEXES: readonly IndexDef[] = [
  {
    name: 'sessions_account_recent',
    table: 'sessions',
    kind: 'covering',
    definition: '(account_uid, created_at DESC, uid DESC) INCLUDE (title)',
    serves:
      "P2 (keyset pages in index order, title from the index), and the entry to an account's turns for A1-A6, E1, E2",
  },
  {
    name: 'human_turns_session',
    table: 'human_turns',
    kind: 'composite',
    definition: '(session_uid, created_at)',
    serves: "P5 turn counts and last activity; A1 (an account's sessions -> their turns of the day)",
  },
  {
    name: 'agent_turns_session',
    table: 'agent_turns',
    kind: 'composite',
    definition: '(session_uid, created_at)',
    serves: "P5; A1; A2, A3, A6, E1, E2 (an account's agent turns of the day -> their steps by primary key)",
  },
  {
    name: 'human_turns_parent',
    table: 'human_turns',
    kind: 'btree',
    definition: '(parent_uid)',
    serves:
      'P4 siblings of a human turn; A5 "is this InputRequest answered" (anti-join); the foreign key check on agent turn deletes',
  },
  {
    name: 'agent_turns_parent',
    table: 'agent_turns',
    kind: 'btree',
    definition: '(parent_uid)',
    serves:
      'P4 siblings (regenerations) of an agent turn; A5 "is there a newer answer to the same human turn" (anti-join); the foreign key check on human turn deletes',
  },
  {
    name: 'agent_turns_version_time',
    table: 'agent_turns',
    kind: 'composite',
    definition: '(agent_version, created_at)',
    serves: 'E3 agent turns per version per day; version regression reports over a time window',
  },
  {
    name: 'steps_pending_oldest',
    table: 'steps',
    kind: 'partial',
    definition: '(created_at) INCLUDE (agent_turn_uid) WHERE tpe = 10',
    serves:
      'G5 oldest pending InputRequests: only InputRequest steps (~3% of steps) are indexed, in the order the query reads them, so the anti-join stops after the first 100 unanswered',
  },
  {
    name: 'steps_classifier_label',
    table: 'steps',
    kind: 'expression',
    definition: "((content::jsonb ->> 'label'), ((content::jsonb ->> 'score')::float8) DESC) WHERE tpe = 11",
    serves:
      'E1 turns by classifier label with score >= x across accounts (the label and score live inside the JSON content)',
  },
  {
    name: 'steps_created_brin',
    table: 'steps',
    kind: 'brin',
    definition: 'USING brin (created_at)',
    serves:
      'time-window analytics over all accounts (T1 step-type mix of a window, time to first step): steps arrive in time order',
  },
];

export function createIndexSql(ix: IndexDef): string {
  return `CREATE ${ix.kind === 'unique' ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${ix.name} ON ${ix.table} ${ix.definition}`;
}
