import type { IndexDef } from '../indexes.ts';

/**
 * The relational fixes the study points to, measured as candidates like any index: a schema
 * variant adds columns once at load time (so no configuration pays a table rewrite), and its index
 * is the candidate. A configuration that sees the index runs the case's SQL rewritten to use the
 * columns; one that does not runs the original. So "+index" against the baseline is the fix against
 * the schema as it is, and "all" against "all -index" is what the fix adds when every other index
 * is there: the rule judges it on the same terms. The columns' own price (wider rows, the work of
 * filling them) is measured separately, as the insert cost with and without them (run.ts).
 */
export interface Variant {
  index: IndexDef;
  /** What the columns are, for the report. */
  columns: string;
  /** The table the columns are added to. */
  table: string;
  /** Adds and fills the columns (and what keeps them filled on insert). */
  setup: readonly string[];
  /** Removes them again, for the insert cost without them. */
  teardown: readonly string[];
  /** The cases whose SQL the variant rewrites. */
  cases: readonly string[];
  rewrite: (sql: string) => string;
}

/** Replaces `pattern`, and fails loudly where it does not occur: a no-op rewrite would time the original as the fix. */
function replaceOrThrow(sql: string, pattern: RegExp, by: string, what: string): string {
  if (!new RegExp(pattern.source, pattern.flags.replace('g', '')).test(sql))
    throw new Error(`variant ${what}: its pattern does not occur in ${sql.slice(0, 80)}...`);
  return sql.replace(pattern, by);
}

// The account's agent turns: through sessions today; from the turn's own copy of the account and day in the variant.
const ACCOUNT_JOIN =
  /FROM sessions s JOIN agent_turns a ON a\.session_uid = s\.uid\s+WHERE s\.account_uid = \$1 AND a\.created_at >= \$2 AND a\.created_at < \$3 AND \(a\.created_at AT TIME ZONE 'UTC'\)::date = ANY\(\$4::date\[\]\)/;
const ACCOUNT_DAY =
  'FROM agent_turns a WHERE a.account_uid = $1 AND a.day = ANY($4::date[]) AND a.created_at >= $2 AND a.created_at < $3';

export const DENORMALISED: Variant = {
  index: {
    name: 'agent_turns_account_day',
    table: 'agent_turns',
    kind: 'covering',
    definition: '(account_uid, day) INCLUDE (uid, session_uid, created_at)',
    serves: "A2/A3/A5/A6/E1/E2: an account's agent turns of some days without the join through sessions",
  },
  columns: '`agent_turns.account_uid` (copied from the session) and `agent_turns.day` (generated: the UTC day)',
  table: 'agent_turns',
  setup: [
    `ALTER TABLE agent_turns ADD COLUMN account_uid varchar(64) COLLATE "C",
       ADD COLUMN day date GENERATED ALWAYS AS ((created_at AT TIME ZONE 'UTC')::date) STORED`,
    'UPDATE agent_turns a SET account_uid = s.account_uid FROM sessions s WHERE s.uid = a.session_uid',
    // The UPDATE left a dead version of every row: the variant's table is measured as a load would leave it.
    'VACUUM FULL agent_turns',
    // The application knows the account when it appends a turn; the study's loader does not, so a
    // trigger copies it. Its lookup is CPU the application would not spend: the rule counts WAL, not that.
    `CREATE FUNCTION study_turn_account() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN NEW.account_uid := (SELECT account_uid FROM sessions WHERE uid = NEW.session_uid); RETURN NEW; END $$`,
    'CREATE TRIGGER study_turn_account BEFORE INSERT ON agent_turns FOR EACH ROW EXECUTE FUNCTION study_turn_account()',
  ],
  teardown: [
    'DROP TRIGGER study_turn_account ON agent_turns',
    'DROP FUNCTION study_turn_account()',
    'ALTER TABLE agent_turns DROP COLUMN account_uid, DROP COLUMN day',
  ],
  cases: ['A2', 'A3', 'A5', 'A6', 'E1', 'E2'],
  rewrite: (sql) => replaceOrThrow(sql, ACCOUNT_JOIN, ACCOUNT_DAY, 'agent_turns_account_day'),
};

export const GENERATED: Variant = {
  index: {
    name: 'steps_label_score',
    table: 'steps',
    kind: 'partial',
    definition: '(label, score DESC) WHERE tpe = 11',
    serves: 'G1/E1/E2: label and score as stored generated columns instead of parsed from the JSON on every read',
  },
  columns: '`steps.label` and `steps.score` (stored generated columns, parsed from the content of classifier steps)',
  table: 'steps',
  setup: [
    // CASE: only classifier steps pay the JSON parse on insert.
    `ALTER TABLE steps
       ADD COLUMN label text GENERATED ALWAYS AS (CASE WHEN tpe = 11 THEN content::jsonb ->> 'label' END) STORED,
       ADD COLUMN score float8 GENERATED ALWAYS AS (CASE WHEN tpe = 11 THEN (content::jsonb ->> 'score')::float8 END) STORED`,
  ],
  teardown: ['ALTER TABLE steps DROP COLUMN label, DROP COLUMN score'],
  cases: ['G1', 'E1', 'E2'],
  rewrite: (sql) => {
    const scored = sql.replace(/\((st\.)?content::jsonb ->> 'score'\)::float8/g, '$1score');
    return replaceOrThrow(scored, /(st\.)?content::jsonb ->> 'label'/g, '$1label', 'steps_label_score');
  },
};

export const VARIANTS: readonly Variant[] = [DENORMALISED, GENERATED];

/** The variant indexes that may serve a case. */
export const variantIndexes = (caseId: string): string[] =>
  VARIANTS.filter((v) => v.cases.includes(caseId)).map((v) => v.index.name);

/** The SQL a configuration runs for a case: rewritten by every variant whose index it sees. */
export function sqlFor(c: { id: string; sql: string }, visible: readonly string[]): string {
  return VARIANTS.filter((v) => v.cases.includes(c.id) && visible.includes(v.index.name)).reduce(
    (sql, v) => v.rewrite(sql),
    c.sql,
  );
}
