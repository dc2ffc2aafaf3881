import { allRows, type CqlExecutor, type Statement } from '../../cql/executor.ts';
import { dayOf, monthOf } from '../../domain/model.ts';
import { StepType } from '../../domain/step-types.ts';
import { bucketOfId, bucketsOn, VERSION_BUCKETS } from '../../schema/buckets.ts';
import { BucketSchedules } from '../../store/buckets.ts';
import { deleteRow, select } from '../../store/statements.ts';
import { ROOT } from '../../store/writes.ts';
import { forEachBounded } from '../../util/bounded.ts';
import { shardOf } from '../../schema/buckets.ts';

/**
 * Erases a session by key, never by scan: its turns come from its turns_by_session partition, each
 * turn's steps from its steps_by_turn partition, and every derived row's key is computed the way
 * the store wrote it (src/store/writes.ts). Rows of CDC tables are deleted row by row (the
 * connector does not deliver partition deletes). The session's own row goes last, so a delete that
 * fails midway is retried by calling it again and converges.
 */
export async function deleteSessionRows(
  exec: CqlExecutor,
  ks: string,
  s: { sessionId: string; accountId: string; createdAt: Date; lastActivityUs: bigint | null },
): Promise<void> {
  const schedule = await new BucketSchedules(exec, ks).get(s.accountId);
  const bucketOf = (id: string, at: Date) => bucketOfId(id, bucketsOn(schedule, dayOf(at)));
  const turns = [];
  for await (const t of allRows(
    exec,
    select(ks, 'turns_by_session', ['parent_id', 'created_at', 'turn_id', 'role', 'agent_version'], 'session_id = ?', [
      s.sessionId,
    ]),
  ))
    if (t.turn_id) turns.push(t);

  await forEachBounded(turns, 8, async (t) => {
    const turnId = t.turn_id!;
    const createdAt = t.created_at!;
    const day = dayOf(createdAt);
    const bucket = bucketOf(turnId, createdAt);
    const writes: Statement[] = [];
    for await (const step of allRows(
      exec,
      select(ks, 'steps_by_turn', ['idx', 'step_type'], 'turn_id = ?', [turnId]),
    )) {
      const key = { account_id: s.accountId, day, bucket, turn_id: turnId, idx: step.idx };
      writes.push(deleteRow(ks, 'steps_by_account_day_bucket', key));
      if (step.step_type === StepType.InputRequest)
        writes.push(deleteRow(ks, 'pending_inputs_by_account_day_bucket', { ...key, session_id: s.sessionId }));
      writes.push(deleteRow(ks, 'steps_by_turn', { turn_id: turnId, idx: step.idx }));
    }
    writes.push(
      deleteRow(ks, 'turns_by_account_day_bucket', {
        account_id: s.accountId,
        day,
        bucket,
        role: t.role!,
        created_at: createdAt,
        turn_id: turnId,
      }),
    );
    if (t.role === 'agent' && t.agent_version)
      writes.push(
        deleteRow(ks, 'agent_turns_by_version_day_bucket', {
          agent_version: t.agent_version,
          day,
          bucket: bucketOfId(turnId, VERSION_BUCKETS),
          created_at: createdAt,
          turn_id: turnId,
        }),
      );
    writes.push(
      deleteRow(ks, 'turns_by_session', {
        session_id: s.sessionId,
        parent_id: t.parent_id ?? ROOT,
        created_at: createdAt,
        turn_id: turnId,
      }),
    );
    for (const w of writes) await exec.run(w);
    // The lookup row last: while it exists, a retry of this delete still finds the turn.
    await exec.run(deleteRow(ks, 'turns', { turn_id: turnId }));
  });

  await exec.execute(`DELETE FROM ${ks}.turn_completions_by_session WHERE session_id = ?`, [s.sessionId]);
  // The static active_root cell, and the LWT-only tables through their own conditional deletes.
  await exec.execute(`DELETE FROM ${ks}.turns_by_session WHERE session_id = ?`, [s.sessionId]);
  await exec.execute(`DELETE FROM ${ks}.turn_counts_by_session WHERE session_id = ? IF EXISTS`, [s.sessionId], {
    serial: true,
  });
  await exec.run(deleteRow(ks, 'open_sessions_by_shard', { shard: shardOf(s.sessionId), session_id: s.sessionId }));
  await exec.run(
    deleteRow(ks, 'sessions_by_account_month_bucket', {
      account_id: s.accountId,
      month: monthOf(s.createdAt),
      bucket: bucketOf(s.sessionId, s.createdAt),
      created_at: s.createdAt,
      session_id: s.sessionId,
    }),
  );
  await exec.execute(`DELETE FROM ${ks}.session_state WHERE session_id = ? IF EXISTS`, [s.sessionId], { serial: true });
  // last_activity carries the activity time as its write timestamp (a max-register), which may be
  // ahead of this server's clock: the delete is timestamped after it, or it would not shadow it.
  const nowUs = BigInt(Date.now()) * 1000n;
  const at = s.lastActivityUs !== null && s.lastActivityUs >= nowUs ? s.lastActivityUs + 1n : nowUs;
  await exec.run(deleteRow(ks, 'sessions', { session_id: s.sessionId }, { writeTimeUs: at }));
}
