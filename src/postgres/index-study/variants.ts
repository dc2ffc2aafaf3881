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

/**
 * Whole account-days of step counts by the turn's UTC day, the only way A2's question can be asked
 * here (as in its SQL, $2/$3 are the days' UTC midnights; they stay bound so PostgreSQL can type them).
 */
const ROLLUP_A2 = `SELECT tpe, sum(steps)::int AS n FROM steps_daily
  WHERE account_uid = $1 AND day = ANY($4::date[])
    AND day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND day < ($3::timestamptz AT TIME ZONE 'UTC')::date
  GROUP BY tpe ORDER BY tpe`;

export const ROLLUP: Variant = {
  index: {
    name: 'steps_daily_key',
    table: 'steps_daily',
    kind: 'unique',
    definition: '(account_uid, day, tpe) INCLUDE (steps)',
    serves: "A2: an account-day's step counts by type read from a daily rollup instead of counted from its steps",
  },
  columns:
    "`steps_daily`: step counts per account, UTC day of the turn and type (at most accounts x days x 13 rows); its upkeep, a trigger on every step insert while the key exists, is in the key's write cost",
  table: 'steps_daily',
  setup: [
    `CREATE TABLE steps_daily (account_uid varchar(64) COLLATE "C" NOT NULL, day date NOT NULL,
       tpe integer NOT NULL, steps bigint NOT NULL)`,
    `INSERT INTO steps_daily SELECT s.account_uid, (a.created_at AT TIME ZONE 'UTC')::date, st.tpe, count(*)
       FROM steps st JOIN agent_turns a ON a.uid = st.agent_turn_uid JOIN sessions s ON s.uid = a.session_uid
       GROUP BY 1, 2, 3`,
    // Kept only while its key exists: a configuration without the candidate neither reads nor pays
    // for the rollup, so its upkeep lands in the key's own write cost (run.ts measures each candidate
    // alone). BEFORE ROW, not AFTER: EXPLAIN (ANALYZE, WAL) counts what the insert node runs, and
    // after-triggers run past it. The study deletes its write batches without decrementing: no read follows them.
    `CREATE FUNCTION study_steps_daily() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF to_regclass('steps_daily_key') IS NOT NULL THEN
           INSERT INTO steps_daily
             SELECT s.account_uid, (a.created_at AT TIME ZONE 'UTC')::date, NEW.tpe, 1
             FROM agent_turns a JOIN sessions s ON s.uid = a.session_uid WHERE a.uid = NEW.agent_turn_uid
             ON CONFLICT (account_uid, day, tpe) DO UPDATE SET steps = steps_daily.steps + 1;
         END IF;
         RETURN NEW;
       END $$`,
    'CREATE TRIGGER study_steps_daily BEFORE INSERT ON steps FOR EACH ROW EXECUTE FUNCTION study_steps_daily()',
  ],
  teardown: ['DROP TRIGGER study_steps_daily ON steps', 'DROP FUNCTION study_steps_daily()', 'DROP TABLE steps_daily'],
  cases: ['A2'],
  // Whole-query: it applies after the denormalised rewrite too, which only changed the turns it counts from.
  rewrite: (sql) =>
    replaceOrThrow(
      sql,
      /^WITH turns AS \([\s\S]*\)\s+SELECT st\.tpe, count\(\*\)::int AS n FROM turns t JOIN steps st ON st\.agent_turn_uid = t\.uid GROUP BY st\.tpe ORDER BY st\.tpe$/,
      ROLLUP_A2,
      'steps_daily_key',
    ),
};

/** In rewrite order: the rollup replaces A2 whole, so it comes after the rewrites of its parts. */
export const VARIANTS: readonly Variant[] = [DENORMALISED, GENERATED, ROLLUP];

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
