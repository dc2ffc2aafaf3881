/**
 * `make bench`: backup and restore rates (rows/s, MB/s) next to a bare CQL scan of the same tables
 * in the same run: the ceiling is one paged `SELECT *` per table with nothing else (no WRITETIME/TTL,
 * no token ranges, no compression). Writes .reports/bench-backup.json.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backup, tablesAt } from '../backup/backup.ts';
import { restore } from '../backup/restore.ts';
import { openStore } from '../backup/store.ts';
import { cqlSettings } from '../config/settings.ts';
import { connectCql } from '../cql/connect.ts';
import { LATEST_VERSION } from '../migrations/index.ts';
import { migrate } from '../migrations/runner.ts';
import { seed } from '../seed/seeder.ts';
import { REPORTS_DIR, shown, writeFileAt } from '../util/repo.ts';
import { table } from './stats.ts';

const SESSIONS = 500;
const source = 'bench_backup_src';
const target = 'bench_backup_restored';
const s = cqlSettings({});
const { exec, dialect, serverVersion } = await connectCql(s);
const dir = await mkdtemp(join(tmpdir(), 'agentstore-bench-backup-'));
try {
  for (const k of [source, target]) await exec.execute(`DROP KEYSPACE IF EXISTS ${k}`);
  await migrate({ exec, keyspace: source, dialect, datacenter: s.localDataCenter, replicationFactor: 1 });
  await seed(
    exec,
    source,
    { seed: 7, sessions: SESSIONS, accounts: 50, days: 30, endDate: '2026-11-01' },
    { concurrency: 64 },
  );
  console.log(`backup bench on ${dialect} ${serverVersion}: ${SESSIONS} sessions`);

  let t = performance.now();
  let scanned = 0;
  let scannedBytes = 0;
  for (const name of tablesAt(LATEST_VERSION)) {
    let pageState: string | undefined;
    do {
      const page = await exec.execute(`SELECT * FROM ${source}.${name}`, [], {
        fetchSize: 1000,
        ...(pageState ? { pageState } : {}),
      });
      scanned += page.rows.length;
      for (const r of page.rows) scannedBytes += JSON.stringify(r).length;
      pageState = page.pageState;
    } while (pageState);
  }
  const scanS = (performance.now() - t) / 1000;

  const store = await openStore('--to', pathToFileURL(dir).href);
  t = performance.now();
  const b = await backup({
    exec,
    keyspace: source,
    dialect,
    serverVersion,
    store,
    ranges: 16,
    concurrency: 4,
    pageSize: 1000,
    rowsPerSecond: 0,
  });
  const backupS = (performance.now() - t) / 1000;
  const rows = Object.values(b.manifest.rows).reduce((a, n) => a + n, 0);
  const gz = b.manifest.parts.reduce((a, p) => a + p.bytes, 0);

  t = performance.now();
  await restore({
    exec,
    keyspace: target,
    dialect,
    datacenter: s.localDataCenter,
    replicationFactor: 1,
    store,
    concurrency: 64,
  });
  const restoreS = (performance.now() - t) / 1000;

  const line = (what: string, n: number, bytes: number, secs: number) => [
    what,
    String(n),
    (n / secs).toFixed(0),
    (bytes / secs / 1e6).toFixed(2),
    (n / secs / (scanned / scanS)).toFixed(2),
  ];
  console.log(
    table(
      ['', 'rows', 'rows/s', 'MB/s', 'of bare scan'],
      [
        line('bare CQL scan (JSON bytes)', scanned, scannedBytes, scanS),
        line('backup (gzip bytes)', rows, gz, backupS),
        line('restore incl. verify (gzip bytes)', rows, gz, restoreS),
      ],
    ),
  );
  const file = join(REPORTS_DIR, 'bench-backup.json');
  await writeFileAt(
    file,
    JSON.stringify(
      { dialect, serverVersion, sessions: SESSIONS, scanned, scanS, rows, gzipBytes: gz, backupS, restoreS },
      null,
      2,
    ),
  );
  console.log(`\nwritten to ${shown(file)}`);
} finally {
  for (const k of [source, target]) await exec.execute(`DROP KEYSPACE IF EXISTS ${k}`);
  await exec.close();
  await rm(dir, { recursive: true, force: true });
}
