/**
 * The `partitions` command's figures (src/cli/commands/partitions.ts) found in a pod's log: the
 * cluster path runs it as a Job, the sandbox path inside `helm test` on the test keyspace. Both
 * report what the local path's partitions step reports: each table's largest partition.
 */
import { ValidateFailure } from './types.ts';

const SUMMARY = 'largest partition:';

/** The command's table (header to summary) and its summary line; a failure naming `where` when it printed none. */
export function partitionFigures(log: readonly string[], where: string): { table: string[]; summary: string } {
  const end = log.findIndex((l) => l.trimStart().startsWith(SUMMARY));
  const start = log.findLastIndex((l, i) => i < end && /^\s*table\s+rows\s+parts\b/.test(l));
  if (end < 0 || start < 0)
    throw new ValidateFailure(
      `${where} printed no partition figures (no "${SUMMARY}" line after its table)`,
      `read its output below; run \`agentstore partitions --keyspace <keyspace>\` against the same keyspace to see why`,
      log.slice(-20),
    );
  return { table: log.slice(start, end + 1).map((l) => l.trimEnd()), summary: log[end]!.trim() };
}
