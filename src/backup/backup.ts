import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { CqlExecutor } from '../cql/executor.ts';
import type { Dialect } from '../cql/dialect.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import { currentTables } from '../migrations/catalog.ts';
import { MIGRATIONS } from '../migrations/index.ts';
import { schemaVersion, SchemaNotReadyError } from '../migrations/runner.ts';
import { LATEST_VERSION } from '../migrations/index.ts';
import { forEachBounded } from '../util/bounded.ts';
import { kafkaOffsets } from './kafka-offsets.ts';
import {
  backupId,
  FORMAT,
  listedBackups,
  manifestKey,
  partKey,
  partRecordKey,
  partSchema,
  startedKey,
  startedSchema,
  TOOL_VERSION,
  type Manifest,
  type Part,
  type Started,
} from './manifest.ts';
import type { BlobStore } from './store.ts';
import { checksumLine, rangeQuery, tableLayout, tokenRanges, toBackupRow, type TableLayout } from './table-scan.ts';
import { Throttle, type Progress } from './throttle.ts';

export interface BackupOptions {
  exec: CqlExecutor;
  keyspace: string;
  dialect: Dialect;
  serverVersion: string;
  store: BlobStore;
  /** Token ranges per table: the unit of resumption and of parallelism. */
  ranges: number;
  concurrency: number;
  pageSize: number;
  /** 0: unlimited. */
  rowsPerSecond: number;
  /** Keep this many finished backups of the keyspace, deleting older ones; undefined: keep all. */
  keep?: number;
  /** Record the CDC topics' and projector groups' offsets. */
  kafka?: ReadSideConfig;
  onProgress?: (p: Progress, resumed: number) => void;
  log?: (message: string) => void;
}

export interface BackupResult {
  manifest: Manifest;
  resumedParts: number;
  deleted: string[];
}

const gzipAsync = promisify(gzip);

/** The migrations table's versions and checksums: the schema the backup's rows belong to. */
async function appliedMigrations(exec: CqlExecutor, keyspace: string) {
  const rows = (await exec.execute(`SELECT version, checksum FROM ${keyspace}.schema_migrations`)).rows;
  return rows
    .map((r) => ({ version: Number(r['version']), checksum: String(r['checksum']) }))
    .sort((a, b) => a.version - b.version);
}

/** The data tables at a schema version, from the migrations (the one home of the table list). */
export const tablesAt = (version: number): string[] =>
  currentTables(MIGRATIONS.filter((m) => m.version <= version)).map((t) => t.name);

async function readJson<T>(store: BlobStore, key: string, parse: (v: unknown) => T): Promise<T | undefined> {
  const bytes = await store.get(key);
  return bytes ? parse(JSON.parse(bytes.toString('utf8'))) : undefined;
}

/** The newest unfinished backup of this keyspace whose shape matches, to resume; else undefined. */
async function resumable(o: BackupOptions, version: number): Promise<Started | undefined> {
  // Only one newer than every finished backup: an older unfinished one was abandoned, or half-pruned.
  const mine = listedBackups(await o.store.list('')).filter((b) => b.keyspace === o.keyspace);
  const open = mine.at(-1);
  if (!open || open.finished) return undefined;
  const started = await readJson(o.store, startedKey(open.id), (v) => startedSchema.parse(v));
  if (!started || started.schema.version !== version || started.ranges !== o.ranges) {
    o.log?.(`not resuming ${open.id}: it was started with another schema version or --ranges`);
    return undefined;
  }
  return started;
}

async function scanRange(
  o: BackupOptions,
  throttle: Throttle,
  layout: TableLayout,
  range: { start: bigint; end: bigint },
) {
  const query = rangeQuery(o.keyspace, layout);
  const lines: string[] = [];
  const content = createHash('sha256');
  let pageState: string | undefined;
  // Bounded by the range's rows: each page advances the driver's paging state until it has none.
  do {
    const page = await o.exec.execute(query, [range.start, range.end], {
      fetchSize: o.pageSize,
      ...(pageState ? { pageState } : {}),
    });
    const nowS = Math.floor(Date.now() / 1000);
    for (const row of page.rows) {
      const r = toBackupRow(layout, row, nowS);
      lines.push(JSON.stringify(r));
      content.update(checksumLine(r) + '\n');
    }
    await throttle.take(page.rows.length);
    pageState = page.pageState;
  } while (pageState);
  return { lines, contentSha256: content.digest('hex') };
}

/**
 * A logical backup of one keyspace over CQL, so it runs the same on ScyllaDB and Cassandra without node
 * access: each table scanned by token range with every cell's WRITETIME and TTL, one gzip part per
 * range with its sha256, a part record once the part is stored (the journal a rerun after a kill
 * resumes from), and the manifest last.
 */
export async function backup(o: BackupOptions): Promise<BackupResult> {
  const version = await schemaVersion(o.exec, o.keyspace);
  if (version === 0) throw new SchemaNotReadyError(o.keyspace, 0, LATEST_VERSION);
  let started = await resumable(o, version);
  if (started) o.log?.(`resuming backup ${started.id}`);
  else {
    const tables: TableLayout[] = [];
    for (const t of tablesAt(version)) tables.push(await tableLayout(o.exec, o.keyspace, t));
    const now = new Date();
    started = {
      format: FORMAT,
      id: backupId(o.keyspace, now),
      tool: { name: 'agentstore', version: TOOL_VERSION },
      keyspace: o.keyspace,
      dialect: o.dialect,
      serverVersion: o.serverVersion,
      schema: { version, migrations: await appliedMigrations(o.exec, o.keyspace) },
      tables,
      ranges: o.ranges,
      startedAt: now.toISOString(),
      ...(o.kafka ? { kafkaAtStart: await kafkaOffsets(o.kafka, o.keyspace) } : {}),
    };
    await o.store.put(startedKey(started.id), JSON.stringify(started, null, 2));
    o.log?.(`backup ${started.id} of ${o.keyspace} (schema version ${version}) to ${o.store.url}`);
  }
  const id = started.id;

  const parts = new Map<string, Part>();
  for (const key of await o.store.list(`${id}/parts/`)) {
    if (!key.endsWith('.json')) continue;
    const part = await readJson(o.store, key, (v) => partSchema.parse(v));
    if (part) parts.set(`${part.table}/${part.range}`, part);
  }
  const resumed = parts.size;
  const ranges = tokenRanges(started.ranges);
  const todo = started.tables.flatMap((layout) =>
    ranges.filter((r) => !parts.has(`${layout.table}/${r.index}`)).map((range) => ({ layout, range })),
  );
  const progress: Progress = { done: resumed, total: started.tables.length * ranges.length, rows: 0, bytes: 0 };
  for (const p of parts.values()) progress.rows += p.rows;
  const throttle = new Throttle(o.rowsPerSecond);

  await forEachBounded(todo, o.concurrency, async ({ layout, range }) => {
    const { lines, contentSha256 } = await scanRange(o, throttle, layout, range);
    const body = await gzipAsync(lines.length ? lines.join('\n') + '\n' : '');
    const key = partKey(id, layout.table, range.index);
    await o.store.put(key, body);
    const part: Part = {
      table: layout.table,
      range: range.index,
      start: String(range.start),
      end: String(range.end),
      key,
      rows: lines.length,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      contentSha256,
    };
    await o.store.put(partRecordKey(id, layout.table, range.index), JSON.stringify(part));
    parts.set(`${part.table}/${part.range}`, part);
    progress.done++;
    progress.rows += part.rows;
    progress.bytes += body.length;
    o.onProgress?.(progress, resumed);
  });

  const sorted = [...parts.values()].sort((a, b) => a.table.localeCompare(b.table) || a.range - b.range);
  const rows: Record<string, number> = {};
  for (const t of started.tables) rows[t.table] = 0;
  for (const p of sorted) rows[p.table] = (rows[p.table] ?? 0) + p.rows;
  const manifest: Manifest = {
    ...started,
    parts: sorted,
    rows,
    finishedAt: new Date().toISOString(),
    ...(o.kafka ? { kafkaAtEnd: await kafkaOffsets(o.kafka, o.keyspace) } : {}),
  };
  await o.store.put(manifestKey(id), JSON.stringify(manifest, null, 2));
  const deleted = o.keep === undefined ? [] : await prune(o.store, o.keyspace, o.keep);
  return { manifest, resumedParts: resumed, deleted };
}

/**
 * Retention: the newest `keep` finished backups of the keyspace stay; older ones go, and so do
 * unfinished ones older than the oldest kept (abandoned: a rerun only resumes the newest).
 */
async function prune(store: BlobStore, keyspace: string, keep: number): Promise<string[]> {
  const mine = listedBackups(await store.list('')).filter((b) => b.keyspace === keyspace);
  const finished = mine.filter((b) => b.finished);
  const oldestKept = finished[Math.max(0, finished.length - keep)]?.id;
  const old = oldestKept ? mine.filter((b) => b.id < oldestKept).map((b) => b.id) : [];
  // The manifest first: a prune killed half-way leaves an unfinished backup, never a "finished" one with parts missing.
  for (const id of old) {
    await store.removeAll(manifestKey(id));
    await store.removeAll(`${id}/`);
  }
  return old;
}
