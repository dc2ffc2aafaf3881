import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { isMissingSchema, type CqlExecutor, type Statement } from '../cql/executor.ts';
import type { Dialect } from '../cql/dialect.ts';
import { LATEST_VERSION } from '../migrations/index.ts';
import { migrate, schemaVersion } from '../migrations/runner.ts';
import { forEachBounded } from '../util/bounded.ts';
import { tablesAt } from './backup.ts';
import { BackupRefusedError } from './errors.ts';
import { listedBackups, manifestKey, manifestSchema, type Manifest, type Part } from './manifest.ts';
import type { BlobStore } from './store.ts';
import { checksumLine, decodeValue, rangeQuery, toBackupRow, type BackupRow, type TableLayout } from './table-scan.ts';
import type { Progress } from './throttle.ts';

export interface RestoreOptions {
  exec: CqlExecutor;
  /** The target keyspace. */
  keyspace: string;
  dialect: Dialect;
  datacenter: string;
  replicationFactor: number;
  store: BlobStore;
  /** Which backup under the store; default: the newest finished one. */
  backupId?: string;
  /** Load into a target that already holds rows. */
  force?: boolean;
  /** The backup's schema version, when it is not this build's latest: the explicit step it needs. */
  acceptSchemaVersion?: number;
  concurrency: number;
  onProgress?: (p: Progress, resumed: number) => void;
  log?: (message: string) => void;
}

export interface RestoreResult {
  manifest: Manifest;
  resumedParts: number;
  rows: Record<string, number>;
}

const gunzipAsync = promisify(gunzip);
/** Restore's own bookkeeping in the target keyspace: the parts loaded, so a rerun after a kill resumes. */
const JOURNAL = 'backup_restore_journal';
const DONE = '*done';

async function chooseManifest(o: RestoreOptions): Promise<Manifest> {
  const finished = listedBackups(await o.store.list('')).filter((b) => b.finished);
  const chosen = o.backupId ? finished.find((b) => b.id === o.backupId) : finished.at(-1);
  if (!chosen) {
    throw new BackupRefusedError(
      o.backupId ? `no finished backup ${o.backupId} at ${o.store.url}` : `no finished backup at ${o.store.url}`,
      `list it (finished backups have a manifest.json: ${finished.map((b) => b.id).join(', ') || 'none'}), or run \`agentstore backup\` to it`,
    );
  }
  if (!o.backupId && new Set(finished.map((b) => b.keyspace)).size > 1) {
    throw new BackupRefusedError(
      `${o.store.url} holds backups of several keyspaces (${finished.map((b) => b.id).join(', ')})`,
      'name one with --backup <id>',
    );
  }
  const bytes = await o.store.get(manifestKey(chosen.id));
  return manifestSchema.parse(JSON.parse(bytes!.toString('utf8')));
}

/** Rows already in the target's data tables (any one row is enough to refuse). */
async function holdsRows(exec: CqlExecutor, keyspace: string, version: number): Promise<string | undefined> {
  for (const table of tablesAt(version)) {
    if ((await exec.execute(`SELECT * FROM ${keyspace}.${table} LIMIT 1`)).rows.length) return table;
  }
  return undefined;
}

/**
 * A row back as writes with its original write times and TTLs: one INSERT per (write time, expiry)
 * group of its cells, so every cell keeps its own. Expired cells are left out (they would be gone on
 * the source too); a row of key columns only is inserted as such.
 */
function rowStatements(keyspace: string, layout: TableLayout, r: BackupRow, nowS: number): Statement[] {
  const keys = layout.columns.filter(
    (c) => (c.kind === 'partition_key' || c.kind === 'clustering') && r.v[c.name] !== undefined,
  );
  const staticOnly = layout.columns.some((c) => c.kind === 'clustering' && r.v[c.name] === undefined);
  const groups = new Map<string, { w: string; ttl: number; cols: typeof layout.columns }>();
  for (const c of layout.columns) {
    if (c.kind === 'partition_key' || c.kind === 'clustering' || r.v[c.name] === undefined) continue;
    if (staticOnly && c.kind !== 'static') continue;
    const expiry = r.x?.[c.name];
    const ttl = expiry === undefined ? 0 : expiry - nowS;
    if (expiry !== undefined && ttl <= 0) continue;
    const w = r.w[c.name]!;
    const g = groups.get(`${w}/${ttl}`) ?? { w, ttl, cols: [] };
    g.cols.push(c);
    groups.set(`${w}/${ttl}`, g);
  }
  const insert = (cols: typeof layout.columns, using: string) =>
    `INSERT INTO ${keyspace}.${layout.table} (${cols.map((c) => c.name).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})${using}`;
  const values = (cols: typeof layout.columns) => cols.map((c) => decodeValue(c.type, r.v[c.name]));
  if (!groups.size) {
    const hadCells = Object.keys(r.w).length > 0;
    return hadCells ? [] : [{ query: insert(keys, ''), params: values(keys) }];
  }
  return [...groups.values()].map((g) => ({
    query: insert([...keys, ...g.cols], ' USING TIMESTAMP ? AND TTL ?'),
    params: [...values([...keys, ...g.cols]), BigInt(g.w), g.ttl],
  }));
}

async function loadPart(o: RestoreOptions, m: Manifest, part: Part): Promise<void> {
  const body = await o.store.get(part.key);
  if (!body)
    throw new BackupRefusedError(`part ${part.key} of backup ${m.id} is missing`, 'restore from another backup');
  const sha = createHash('sha256').update(body).digest('hex');
  if (sha !== part.sha256) {
    throw new BackupRefusedError(
      `part ${part.key} of backup ${m.id} is corrupt: its sha256 is ${sha}, the manifest says ${part.sha256}`,
      'restore from another backup (nothing of this part was loaded)',
    );
  }
  const layout = m.tables.find((t) => t.table === part.table)!;
  const text = (await gunzipAsync(body)).toString('utf8');
  const nowS = Math.floor(Date.now() / 1000);
  const statements = text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => rowStatements(o.keyspace, layout, JSON.parse(line) as BackupRow, nowS));
  await forEachBounded(statements, o.concurrency, async (s) => void (await o.exec.run(s)));
}

/** Re-scans one restored range and compares its rows and content checksum with the manifest's. */
async function verifyPart(o: RestoreOptions, m: Manifest, part: Part): Promise<void> {
  const layout = m.tables.find((t) => t.table === part.table)!;
  const query = rangeQuery(o.keyspace, layout);
  const hash = createHash('sha256');
  let rows = 0;
  let pageState: string | undefined;
  do {
    const page = await o.exec.execute(query, [BigInt(part.start), BigInt(part.end)], {
      fetchSize: 1000,
      ...(pageState ? { pageState } : {}),
    });
    for (const row of page.rows) hash.update(checksumLine(toBackupRow(layout, row, 0)) + '\n');
    rows += page.rows.length;
    pageState = page.pageState;
  } while (pageState);
  const sum = hash.digest('hex');
  if (rows !== part.rows || sum !== part.contentSha256) {
    throw new BackupRefusedError(
      `restored ${o.keyspace}.${part.table} range ${part.range} differs from backup ${m.id}: ` +
        `${rows} rows with content sha256 ${sum}, the manifest has ${part.rows} rows with ${part.contentSha256}`,
      'restore into an empty keyspace (rows already there, or written during the restore, change the range)',
    );
  }
}

/**
 * Restores a backup into a keyspace: migrations up to the backup's schema version, each part checked
 * against its sha256 and loaded with the original write times and TTLs (idempotent: the same write at
 * the same timestamp), a journal row per part, then every range re-scanned against the manifest.
 */
export async function restore(o: RestoreOptions): Promise<RestoreResult> {
  const m = await chooseManifest(o);
  const version = m.schema.version;
  if (version !== LATEST_VERSION && o.acceptSchemaVersion !== version) {
    throw new BackupRefusedError(
      `backup ${m.id} is at schema version ${version}, this build's latest is ${LATEST_VERSION}`,
      `restore it with --accept-schema-version ${version} (the target is migrated to ${version} only; ` +
        `then \`agentstore migrate --keyspace ${o.keyspace}\` takes it to ${LATEST_VERSION}), or use the release that wrote it`,
    );
  }
  if (o.acceptSchemaVersion !== undefined && o.acceptSchemaVersion !== version) {
    throw new BackupRefusedError(
      `--accept-schema-version ${o.acceptSchemaVersion} does not match backup ${m.id}, which is at version ${version}`,
      `give --accept-schema-version ${version}, or leave it out`,
    );
  }
  const targetVersion = await schemaVersion(o.exec, o.keyspace);
  let journal = new Map<string, number>();
  if (targetVersion > 0) {
    journal = await readJournal(o.exec, o.keyspace, m.id);
    if (targetVersion !== version) {
      throw new BackupRefusedError(
        `target keyspace ${o.keyspace} is at schema version ${targetVersion}, backup ${m.id} at ${version}`,
        'restore into a new keyspace (or drop this one)',
      );
    }
    const full = journal.size ? undefined : await holdsRows(o.exec, o.keyspace, targetVersion);
    if (full && !o.force) {
      throw new BackupRefusedError(
        `target keyspace ${o.keyspace} is not empty (table ${full} has rows)`,
        'restore into a new keyspace, or give --force to load on top (rows there stay; the checksums then fail)',
      );
    }
  }
  await migrate({
    exec: o.exec,
    keyspace: o.keyspace,
    dialect: o.dialect,
    datacenter: o.datacenter,
    replicationFactor: o.replicationFactor,
    target: version,
    log: (msg) => o.log?.(msg),
  });
  await o.exec.execute(
    `CREATE TABLE IF NOT EXISTS ${o.keyspace}.${JOURNAL} (backup_id text, part text, rows int, at timestamp, PRIMARY KEY (backup_id, part))`,
  );
  const resumed = [...journal.keys()].filter((k) => k !== DONE).length;
  const progress: Progress = { done: resumed, total: m.parts.length, rows: 0, bytes: 0 };
  for (const p of m.parts) if (journal.has(p.key)) progress.rows += p.rows;
  const todo = m.parts.filter((p) => !journal.has(p.key));
  await forEachBounded(todo, 2, async (part) => {
    await loadPart(o, m, part);
    await o.exec.execute(`INSERT INTO ${o.keyspace}.${JOURNAL} (backup_id, part, rows, at) VALUES (?, ?, ?, ?)`, [
      m.id,
      part.key,
      part.rows,
      new Date(),
    ]);
    progress.done++;
    progress.rows += part.rows;
    progress.bytes += part.bytes;
    o.onProgress?.(progress, resumed);
  });
  o.log?.(`loaded ${m.parts.length} parts; verifying every range against the manifest`);
  await forEachBounded(m.parts, o.concurrency, (part) => verifyPart(o, m, part));
  await o.exec.execute(`INSERT INTO ${o.keyspace}.${JOURNAL} (backup_id, part, rows, at) VALUES (?, ?, ?, ?)`, [
    m.id,
    DONE,
    m.parts.length,
    new Date(),
  ]);
  return { manifest: m, resumedParts: resumed, rows: m.rows };
}

async function readJournal(exec: CqlExecutor, keyspace: string, id: string): Promise<Map<string, number>> {
  try {
    const page = await exec.execute(`SELECT part, rows FROM ${keyspace}.${JOURNAL} WHERE backup_id = ?`, [id], {
      fetchSize: 100_000,
    });
    return new Map(page.rows.map((r) => [String(r['part']), Number(r['rows'])]));
  } catch (err) {
    // A target a restore never touched has no journal table yet.
    if (isMissingSchema(err)) return new Map();
    throw err;
  }
}
