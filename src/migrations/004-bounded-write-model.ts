import { allRows, type CqlExecutor, type Row } from '../cql/executor.ts';
import { dayOf, monthOf } from '../domain/model.ts';
import { labelOf, StepType } from '../domain/step-types.ts';
import { bucketOfId, bucketsOn, VERSION_BUCKETS, type BucketSchedule } from '../schema/buckets.ts';
import { forEachBounded } from '../util/bounded.ts';
import type { Migration, MigrationContext } from './migration.ts';

/**
 * The write model that stays right under rewrites, races and growth (docs/data-model.md):
 * - analytics rows keyed by the step's identity (turn_id, idx), its measures regular columns, so a
 *   rewritten step replaces its row instead of adding one;
 * - every account-time partition bucketed by the account's schedule (account_buckets), the
 *   version-day one by VERSION_BUCKETS, so no partition grows with a big tenant's or a release's traffic;
 * - P2 reads the months that have sessions (session_months_by_account) instead of walking back a
 *   fixed 24, and last_activity lives on `sessions` only;
 * - pending inputs per (asking turn's day, bucket, turn, idx), written with logical timestamps;
 * - turn_counts_by_session enforces the turns-per-session limit (a compare-and-set counter).
 *
 * The backfill copies the replaced tables' facts from the tables they were derived from (sessions,
 * turns, steps_by_turn, the old pending rows), then the replaced tables are dropped. It is safe
 * while writers of this release write: session and turn rows never change, so both sides write
 * the same values; a step's analytics row is copied USING TIMESTAMP of the step row it was read
 * from, so a live rewrite (newer timestamp) wins whichever lands last (a table without CDC:
 * ScyllaDB takes old timestamps there); a copied pending row is re-checked after its write and
 * deleted if its turn was answered or regenerated meanwhile (the store's write-then-look rule).
 * Writers of the previous release must stop first: their tables are dropped at the end.
 */

const DAY_BUCKETED = ['account_id', 'day', 'bucket'] as const;

export const boundedWriteModel = {
  version: 4,
  name: 'analytics keyed by identity, bucketed partitions, pending inputs by day',
  steps: [
    {
      createTable: {
        name: 'account_buckets',
        serves:
          'the bucketing schedule of an account: from `since` on, its day (and month) partitions have `buckets` buckets; read (cached) by every writer and reader of a bucketed table; one small partition per account',
        columns: { account_id: 'text', since: 'date', buckets: 'int' },
        partitionKey: ['account_id'],
        clustering: [{ column: 'since', order: 'DESC' }],
      },
    },
    {
      createTable: {
        name: 'session_months_by_account',
        serves:
          'P2 the months in which an account created sessions, newest first: P2 reads those and no others, back to the first; one row per account and month',
        columns: { account_id: 'text', month: 'text' },
        partitionKey: ['account_id'],
        clustering: [{ column: 'month', order: 'DESC' }],
      },
    },
    {
      createTable: {
        name: 'sessions_by_account_month_bucket',
        serves:
          "P2 an account's sessions, newest first, paged: the month's buckets merged; last activity is read from `sessions`",
        columns: {
          account_id: 'text',
          month: 'text',
          bucket: 'int',
          created_at: 'timestamp',
          session_id: 'text',
          title: 'text',
        },
        partitionKey: ['account_id', 'month', 'bucket'],
        clustering: [
          { column: 'created_at', order: 'DESC' },
          { column: 'session_id', order: 'DESC' },
        ],
      },
    },
    {
      createTable: {
        name: 'turns_by_account_day_bucket',
        serves: 'A1 turns per day per account (GROUP BY role per bucket); the agent slice feeds time-to-first-step',
        columns: {
          account_id: 'text',
          day: 'date',
          bucket: 'int',
          role: 'text',
          created_at: 'timestamp',
          turn_id: 'text',
          session_id: 'text',
        },
        partitionKey: [...DAY_BUCKETED],
        clustering: [
          { column: 'role', order: 'ASC' },
          { column: 'created_at', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
        ],
      },
    },
    {
      createTable: {
        name: 'steps_by_account_day_bucket',
        serves:
          'A2 step types, A3 latency percentiles, A6 languages, E1 classifier label and score, E2 label fractions: one row per step (turn_id, idx), its measures regular columns, so a rewrite replaces it; label and score count only for the step types that carry them',
        columns: {
          account_id: 'text',
          day: 'date',
          bucket: 'int',
          turn_id: 'text',
          idx: 'int',
          session_id: 'text',
          step_type: 'int',
          duration_ms: 'int',
          label: 'text',
          score: 'double',
        },
        partitionKey: [...DAY_BUCKETED],
        clustering: [
          { column: 'turn_id', order: 'ASC' },
          { column: 'idx', order: 'ASC' },
        ],
      },
    },
    {
      createTable: {
        name: 'pending_inputs_by_account_day_bucket',
        serves:
          "A5 open InputRequests by the asking turn's day: a row per InputRequest step from its write until a human answer, a regeneration or a rewrite to another type deletes it (logical timestamps order them)",
        columns: {
          account_id: 'text',
          day: 'date',
          bucket: 'int',
          session_id: 'text',
          turn_id: 'text',
          idx: 'int',
          question: 'text',
          created_at: 'timestamp',
        },
        partitionKey: [...DAY_BUCKETED],
        clustering: [
          { column: 'session_id', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
          { column: 'idx', order: 'ASC' },
        ],
        cdc: true,
      },
    },
    {
      createTable: {
        name: 'agent_turns_by_version_day_bucket',
        serves:
          'E3 agent turns per agent version per day, and the version regression report; 16 buckets per version and day, all accounts',
        columns: {
          agent_version: 'text',
          day: 'date',
          bucket: 'int',
          created_at: 'timestamp',
          turn_id: 'text',
          account_id: 'text',
          session_id: 'text',
        },
        partitionKey: ['agent_version', 'day', 'bucket'],
        clustering: [
          { column: 'created_at', order: 'ASC' },
          { column: 'turn_id', order: 'ASC' },
        ],
      },
    },
    {
      createTable: {
        name: 'turn_counts_by_session',
        serves:
          'the turns-per-session limit: a compare-and-set count of the turns appended (lightweight transactions only), counted from turns_by_session on first use',
        columns: { session_id: 'text', turns: 'int' },
        partitionKey: ['session_id'],
      },
    },
  ],
  backfillRevision: 1,
  dropTables: [
    'sessions_by_account',
    'turns_by_account_day',
    'steps_by_account_day',
    'turn_labels_by_account_day',
    'pending_inputs_by_account',
    'agent_turns_by_version_day',
  ],
  async backfill(ctx) {
    const schedules = new Map<string, Promise<BucketSchedule>>();
    const bucketOf = async (accountId: string, day: string, id: string): Promise<number> => {
      let s = schedules.get(accountId);
      if (!s) schedules.set(accountId, (s = readSchedule(ctx, accountId)));
      return bucketOfId(id, bucketsOn(await s, day));
    };
    await copySessions(ctx, bucketOf);
    await copyTurns(ctx, bucketOf);
    await copySteps(ctx, bucketOf);
    await copyPending(ctx, bucketOf);
  },
} as const satisfies Migration;

type BucketOf = (accountId: string, day: string, id: string) => Promise<number>;
const FAN_OUT = 32;

async function readSchedule(ctx: MigrationContext, accountId: string): Promise<BucketSchedule> {
  const page = await ctx.exec.execute(
    `SELECT since, buckets FROM ${ctx.keyspace}.account_buckets WHERE account_id = ?`,
    [accountId],
  );
  return page.rows.map((r) => ({ since: r['since'] as string, buckets: r['buckets'] as number }));
}

/** Streams a whole table (the migration's one-off scan) through `f`, FAN_OUT rows at a time. */
async function scan(ctx: MigrationContext, what: string, query: string, f: (row: Row) => Promise<void>) {
  let n = 0;
  ctx.log(`backfill: ${what} ...`);
  await forEachBounded(allRows(ctx.exec, { query, params: [] }, 2000), FAN_OUT, async (row) => {
    await f(row);
    n++;
  });
  ctx.log(`backfill: ${what}: ${n} rows read`);
}

async function copySessions(ctx: MigrationContext, bucketOf: BucketOf) {
  const ks = ctx.keyspace;
  await scan(ctx, 'sessions', `SELECT session_id, account_id, title, created_at FROM ${ks}.sessions`, async (r) => {
    const createdAt = r['created_at'] as Date | null;
    if (!createdAt || typeof r['account_id'] !== 'string') return;
    const [account, session] = [r['account_id'], r['session_id'] as string];
    const bucket = await bucketOf(account, dayOf(createdAt), session);
    await ctx.exec.batch([
      {
        query: `INSERT INTO ${ks}.sessions_by_account_month_bucket (account_id, month, bucket, created_at, session_id, title) VALUES (?, ?, ?, ?, ?, ?)`,
        params: [account, monthOf(createdAt), bucket, createdAt, session, r['title']],
      },
      {
        query: `INSERT INTO ${ks}.session_months_by_account (account_id, month) VALUES (?, ?)`,
        params: [account, monthOf(createdAt)],
      },
    ]);
  });
}

async function copyTurns(ctx: MigrationContext, bucketOf: BucketOf) {
  const ks = ctx.keyspace;
  await scan(
    ctx,
    'turns',
    `SELECT turn_id, session_id, account_id, role, created_at, agent_version FROM ${ks}.turns`,
    async (r) => {
      const createdAt = r['created_at'] as Date;
      const [turn, account, day] = [r['turn_id'] as string, r['account_id'] as string, dayOf(createdAt)];
      const writes = [
        {
          query: `INSERT INTO ${ks}.turns_by_account_day_bucket (account_id, day, bucket, role, created_at, turn_id, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          params: [account, day, await bucketOf(account, day, turn), r['role'], createdAt, turn, r['session_id']],
        },
      ];
      if (r['role'] === 'agent' && r['agent_version'])
        writes.push({
          query: `INSERT INTO ${ks}.agent_turns_by_version_day_bucket (agent_version, day, bucket, created_at, turn_id, account_id, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          params: [
            r['agent_version'],
            day,
            bucketOfId(turn, VERSION_BUCKETS),
            createdAt,
            turn,
            account,
            r['session_id'],
          ],
        });
      await ctx.exec.batch(writes);
    },
  );
}

async function copySteps(ctx: MigrationContext, bucketOf: BucketOf) {
  const ks = ctx.keyspace;
  await scan(
    ctx,
    'steps',
    `SELECT turn_id, idx, session_id, account_id, step_type, content, duration_ms, turn_created_at, WRITETIME(step_type) AS written FROM ${ks}.steps_by_turn`,
    async (r) => {
      const type = r['step_type'] as StepType;
      const turn = r['turn_id'] as string;
      const account = r['account_id'] as string;
      const day = dayOf(r['turn_created_at'] as Date);
      const label = labelOf(type, JSON.parse(r['content'] as string));
      const columns = ['account_id', 'day', 'bucket', 'turn_id', 'idx', 'session_id', 'step_type', 'duration_ms'];
      const params: unknown[] = [account, day, await bucketOf(account, day, turn), turn, r['idx'], r['session_id']];
      params.push(type, r['duration_ms']);
      if (label) (columns.push('label', 'score'), params.push(label.label, label.score));
      // The step row's own write time: a rewrite by a live writer carries a later one and wins.
      await ctx.exec.execute(
        `INSERT INTO ${ks}.steps_by_account_day_bucket (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) USING TIMESTAMP ?`,
        // The driver returns a bigint column as a number or a Long: exact below 2^53 us (year 2255).
        [...params, BigInt(String(r['written']))],
      );
    },
  );
}

/** Whether a human turn answers the agent turn, or a newer agent turn answers its human turn. */
async function closed(exec: CqlExecutor, ks: string, turn: { session: string; id: string; parent: string; at: Date }) {
  const children = `SELECT turn_id, role, created_at FROM ${ks}.turns_by_session WHERE session_id = ? AND parent_id = ?`;
  const [answers, siblings] = await Promise.all([
    exec.execute(`${children} LIMIT 1`, [turn.session, turn.id]),
    exec.execute(children, [turn.session, turn.parent]),
  ]);
  const newer = (r: Row) => {
    const at = (r['created_at'] as Date).getTime();
    return at > turn.at.getTime() || (at === turn.at.getTime() && (r['turn_id'] as string) > turn.id);
  };
  return answers.rows.length > 0 || siblings.rows.some((r) => r['role'] === 'agent' && newer(r));
}

async function copyPending(ctx: MigrationContext, bucketOf: BucketOf) {
  const { exec, keyspace: ks } = ctx;
  await scan(
    ctx,
    'pending inputs',
    `SELECT account_id, session_id, turn_id FROM ${ks}.pending_inputs_by_account`,
    async (r) => {
      const [account, session, id] = [r['account_id'] as string, r['session_id'] as string, r['turn_id'] as string];
      const t = (await exec.execute(`SELECT parent_id, created_at FROM ${ks}.turns WHERE turn_id = ?`, [id])).rows[0];
      if (!t) return;
      const turn = { session, id, parent: t['parent_id'] as string, at: t['created_at'] as Date };
      if (await closed(exec, ks, turn)) return;
      const day = dayOf(turn.at);
      const key = [account, day, await bucketOf(account, day, id), session, id];
      const asks = (
        await exec.execute(`SELECT idx, step_type, content, created_at FROM ${ks}.steps_by_turn WHERE turn_id = ?`, [
          id,
        ])
      ).rows.filter((s) => s['step_type'] === StepType.InputRequest);
      for (const s of asks)
        await exec.execute(
          `INSERT INTO ${ks}.pending_inputs_by_account_day_bucket (account_id, day, bucket, session_id, turn_id, idx, question, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [...key, s['idx'], (JSON.parse(s['content'] as string) as { question: string }).question, s['created_at']],
        );
      // A live writer may have answered the turn between the check above and the insert, not seeing the copy.
      if (asks.length && (await closed(exec, ks, turn)))
        for (const s of asks)
          await exec.execute(
            `DELETE FROM ${ks}.pending_inputs_by_account_day_bucket WHERE account_id = ? AND day = ? AND bucket = ? AND session_id = ? AND turn_id = ? AND idx = ?`,
            [...key, s['idx']],
          );
    },
  );
}
