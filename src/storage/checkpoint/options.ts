import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import type { CqlExecutor } from '../../cql/executor.ts';
import { ValidationError } from '../../domain/errors.ts';
import { KEYSPACE_PATTERN } from '../../schema/table.ts';

/** ScyllaDB warns on cells over 1 MB (large-data warnings, storage-research.md §2.5): no chunk may be bigger. */
export const MAX_CHUNK_BYTES = 1024 * 1024;

export interface CqlCheckpointSaverOptions {
  exec: CqlExecutor;
  /** The keyspace migration 5 (src/migrations/005-checkpoints.ts) created the tables in. */
  keyspace: string;
  /** The tenant (or test instance) whose threads these are: part of every partition key. Default 'default'. */
  scope?: string;
  /** Today's UTC day for the activity index comes from here (tests move it). */
  clock?: () => Date;
  serde?: SerializerProtocol;
  /** Bytes per stored cell after compression; at most 1 MiB. Default 512 KiB. */
  chunkBytes?: number;
  /** A serialised channel value (or pending write) over this fails with ValueTooLargeError. Default 64 MiB. */
  maxValueBytes?: number;
  /** Values serialised to more than this are gzip-compressed (kept only when smaller). Default 1 KiB. */
  compressAboveBytes?: number;
  /** Rows per page of a list (driver paging: memory stays bounded by the page). Default 100. */
  fetchSize?: number;
  /** Chunk writes and blob reads in flight per call. Default 8. */
  concurrency?: number;
}

export interface Settings {
  exec: CqlExecutor;
  keyspace: string;
  scope: string;
  clock: () => Date;
  chunkBytes: number;
  maxValueBytes: number;
  compressAboveBytes: number;
  fetchSize: number;
  concurrency: number;
}

function positiveInt(field: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new ValidationError(field, `${value} is not an integer between 1 and ${max}`);
  return value;
}

export function settingsOf(o: CqlCheckpointSaverOptions): Settings {
  if (!KEYSPACE_PATTERN.test(o.keyspace))
    throw new ValidationError('keyspace', `"${o.keyspace}" is not a keyspace name (lower-case letters, digits, _)`);
  const scope = o.scope ?? 'default';
  if (typeof scope !== 'string' || scope.length === 0)
    throw new ValidationError('scope', 'must be a non-empty string (a tenant id, or "default")');
  return {
    exec: o.exec,
    keyspace: o.keyspace,
    scope,
    clock: o.clock ?? (() => new Date()),
    chunkBytes: positiveInt('chunkBytes', o.chunkBytes ?? 512 * 1024, MAX_CHUNK_BYTES),
    maxValueBytes: positiveInt('maxValueBytes', o.maxValueBytes ?? 64 * 1024 * 1024),
    compressAboveBytes: positiveInt('compressAboveBytes', o.compressAboveBytes ?? 1024),
    fetchSize: positiveInt('fetchSize', o.fetchSize ?? 100, 5000),
    concurrency: positiveInt('concurrency', o.concurrency ?? 8, 64),
  };
}
