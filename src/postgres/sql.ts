/**
 * The SQL of the key queries over the normalised schema. Every day bucket is the UTC day of the
 * step's TURN (as in the CQL store: a step's analytics never move when it is retried later).
 */

/** Latest of the session's own time, its turns' and its steps' (the CQL store keeps the same max-register). */
export const LAST_ACTIVITY = `GREATEST(s.created_at,
  (SELECT max(created_at) FROM human_turns WHERE session_uid = s.uid),
  (SELECT max(created_at) FROM agent_turns WHERE session_uid = s.uid),
  (SELECT max(st.created_at) FROM agent_turns t JOIN steps st ON st.agent_turn_uid = t.uid WHERE t.session_uid = s.uid))`;

export const P1_ACTIVE_BRANCH = `WITH RECURSIVE turns AS (
    SELECT uid, 'human' AS role, parent_uid, active_child, prompt, created_at FROM human_turns WHERE session_uid = $1
    UNION ALL
    SELECT uid, 'agent', parent_uid, active_child, '', created_at FROM agent_turns WHERE session_uid = $1
  ), branch AS (
    SELECT t.*, 1 AS depth FROM sessions s JOIN turns t ON t.uid = s.active_root WHERE s.uid = $1
    UNION ALL
    SELECT t.*, b.depth + 1 FROM branch b JOIN turns t ON t.uid = b.active_child AND t.parent_uid = b.uid
  )
  SELECT uid, role, parent_uid, prompt, created_at FROM branch ORDER BY depth`;

/** Keyset paging in the order of sessions_account_recent; last activity only for the page's rows. */
export const P2_ACCOUNT_SESSIONS = `SELECT s.uid, s.title, s.created_at, ${LAST_ACTIVITY} AS last_activity
  FROM (SELECT uid, title, created_at FROM sessions
        WHERE account_uid = $1 AND ($2::timestamptz IS NULL OR (created_at, uid) < ($2::timestamptz, $3::text))
        ORDER BY created_at DESC, uid DESC LIMIT $4) s
  ORDER BY s.created_at DESC, s.uid DESC`;

export const P3_TURN_STEPS = `SELECT idx, tpe, content, duration_ms FROM steps WHERE agent_turn_uid = $1 AND idx > $2 ORDER BY idx LIMIT $3`;

/** Roots (parent null) are siblings within their session; other turns share a parent. */
export const P4_SIBLINGS = `WITH me AS (
    SELECT session_uid, parent_uid, 'human' AS role FROM human_turns WHERE uid = $1
    UNION ALL SELECT session_uid, parent_uid, 'agent' FROM agent_turns WHERE uid = $1
  )
  SELECT h.uid, 'human' AS role, h.created_at FROM me JOIN human_turns h ON h.parent_uid = me.parent_uid WHERE me.role = 'human'
  UNION ALL
  SELECT h.uid, 'human', h.created_at FROM me JOIN human_turns h ON h.session_uid = me.session_uid AND h.parent_uid IS NULL
    WHERE me.role = 'human' AND me.parent_uid IS NULL
  UNION ALL
  SELECT a.uid, 'agent', a.created_at FROM me JOIN agent_turns a ON a.parent_uid = me.parent_uid WHERE me.role = 'agent'
  ORDER BY created_at, uid`;

export const P5_SESSION_SUMMARY = `SELECT s.uid, s.account_uid, s.title, s.created_at, ${LAST_ACTIVITY} AS last_activity,
    (SELECT count(*) FROM human_turns WHERE session_uid = s.uid)::int AS human_turns,
    (SELECT count(*) FROM agent_turns WHERE session_uid = s.uid)::int AS agent_turns
  FROM sessions s WHERE s.uid = $1`;

const UTC_DAY = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
/** $2/$3 bound the range (so an index range applies), $4 keeps only the requested days. */
const IN_DAYS = `created_at >= $2 AND created_at < $3 AND (created_at AT TIME ZONE 'UTC')::date = ANY($4::date[])`;

export const A1_TURNS_PER_DAY = `SELECT t.day, t.role, count(*)::int AS n
  FROM sessions s CROSS JOIN LATERAL (
    SELECT ${UTC_DAY} AS day, 'human' AS role FROM human_turns WHERE session_uid = s.uid AND ${IN_DAYS}
    UNION ALL
    SELECT ${UTC_DAY}, 'agent' FROM agent_turns WHERE session_uid = s.uid AND ${IN_DAYS}
  ) t
  WHERE s.account_uid = $1 GROUP BY t.day, t.role`;

/** An account's agent turns on the requested days: the join every step analytics query starts from. */
const ACCOUNT_TURNS = `turns AS (
    SELECT a.uid, a.session_uid, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
    FROM sessions s JOIN agent_turns a ON a.session_uid = s.uid
    WHERE s.account_uid = $1 AND a.created_at >= $2 AND a.created_at < $3 AND (a.created_at AT TIME ZONE 'UTC')::date = ANY($4::date[]))`;

export const A2_TYPE_DISTRIBUTION = `WITH ${ACCOUNT_TURNS}
  SELECT st.tpe, count(*)::int AS n FROM turns t JOIN steps st ON st.agent_turn_uid = t.uid GROUP BY st.tpe ORDER BY st.tpe`;

/** percentile_disc is the nearest-rank percentile: the first value whose cumulative share reaches p. */
export const A3_LATENCY = `WITH ${ACCOUNT_TURNS}
  SELECT st.tpe, count(*)::int AS n,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY st.duration_ms) AS p50,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY st.duration_ms) AS p90,
    percentile_disc(0.99) WITHIN GROUP (ORDER BY st.duration_ms) AS p99,
    max(st.duration_ms) AS max
  FROM turns t JOIN steps st ON st.agent_turn_uid = t.uid GROUP BY st.tpe ORDER BY st.tpe`;

/**
 * Open: asked on the requested days (the agent turn's UTC day), no human turn answers the agent
 * turn, and no newer agent turn (created_at, then uid) answers the same human turn. One row per
 * turn: its InputRequest with the highest idx.
 */
export const A5_PENDING_INPUTS = `WITH ${ACCOUNT_TURNS}
  SELECT * FROM (
    SELECT DISTINCT ON (t.uid) t.session_uid, t.uid AS turn_uid, st.content::jsonb ->> 'question' AS question, st.created_at
    FROM turns t JOIN agent_turns a ON a.uid = t.uid JOIN steps st ON st.agent_turn_uid = t.uid AND st.tpe = 10
    WHERE NOT EXISTS (SELECT 1 FROM human_turns h WHERE h.parent_uid = t.uid)
      AND NOT EXISTS (SELECT 1 FROM agent_turns n WHERE n.parent_uid = a.parent_uid AND (n.created_at, n.uid) > (a.created_at, a.uid))
    ORDER BY t.uid, st.idx DESC
  ) p ORDER BY session_uid, turn_uid`;

export const A6_LANGUAGE_MIX = `WITH ${ACCOUNT_TURNS}
  SELECT st.content::jsonb ->> 'language' AS label, count(*)::int AS n
  FROM turns t JOIN steps st ON st.agent_turn_uid = t.uid WHERE st.tpe = 12
  GROUP BY 1 ORDER BY n DESC, (st.content::jsonb ->> 'language') COLLATE "C"`;

export const E1_TURNS_BY_LABEL = `WITH ${ACCOUNT_TURNS}
  SELECT t.uid, st.idx, t.session_uid, t.day, (st.content::jsonb ->> 'score')::float8 AS score
  FROM turns t JOIN steps st ON st.agent_turn_uid = t.uid
  WHERE st.tpe = 11 AND st.content::jsonb ->> 'label' = $5 AND (st.content::jsonb ->> 'score')::float8 >= $6
  ORDER BY score DESC, t.uid, st.idx`;

export const E2_LABEL_COUNTS = `WITH ${ACCOUNT_TURNS}
  SELECT t.day, st.content::jsonb ->> 'label' AS label, count(*)::int AS n
  FROM turns t JOIN steps st ON st.agent_turn_uid = t.uid WHERE st.tpe = 11 GROUP BY 1, 2`;

export const E3_AGENT_TURNS_BY_VERSION = `SELECT ${UTC_DAY} AS day, count(*)::int AS n FROM agent_turns
  WHERE agent_version = $1 AND ${IN_DAYS} GROUP BY 1`;
