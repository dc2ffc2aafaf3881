/** The LangGraph checkpointer on ScyllaDB / Cassandra (docs/checkpoints.md). Not part of the pods' CLI bundle. */
export { CqlCheckpointSaver } from './saver.ts';
export type { CqlCheckpointSaverOptions } from './options.ts';
export { MAX_CHUNK_BYTES } from './options.ts';
export { CorruptValueError } from './codec.ts';
export type { PruneReport, SweepReport, ThreadStats } from './maintenance.ts';
export { copyThread } from './copy.ts';
export { createCheckpointKeyspace } from './schema.ts';
