import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { StudyServer } from '../../src/postgres/index-study/server.ts';
import { runNode } from '../support/cli.ts';
import { closeTestPg, connectTestPg, testSchema } from '../support/pg.ts';

const exec = (args: string[]) => runNode(args, { AGENTSTORE_PG_SCHEMA: undefined });
const cli = (...args: string[]) => exec(['bin/agentstore.js', ...args]);
const study = (...args: string[]) => exec(['--import', 'tsx', 'src/postgres/index-study/main.ts', ...args]);

const schema = testSchema('pgcli');
const prefix = testSchema('ixs');
let dir = '';
afterAll(async () => {
  const pool = await connectTestPg(schema);
  const left = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${prefix}%`]);
  for (const r of left.rows) await pool.query(`DROP SCHEMA ${r.nspname} CASCADE`);
  await closeTestPg(pool, schema);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL baseline CLI and index study', () => {
  it('pg-seed then pg-verify prints the verify table, all passing', async () => {
    const data = ['--sessions', '120', '--accounts', '10', '--days', '7', '--seed', '3'];
    const seeded = await cli('pg-seed', '--pg-schema', schema, ...data);
    expect(seeded.stderr).toBe('');
    expect(seeded.stdout).toMatch(/loaded 120 sessions/);
    const verified = await cli('pg-verify', '--pg-schema', schema, ...data, '--samples', '10');
    expect(verified.code).toBe(0);
    for (const q of ['P1', 'P2', 'P3', 'P4', 'P5', 'A1', 'A2', 'A3', 'A5', 'A6', 'E1', 'E2', 'E3'])
      expect(verified.stdout).toMatch(new RegExp(`^${q} .* pass `, 'm'));
    expect(verified.stdout).toContain('all key queries match the ground truth');
    const wrong = await cli('pg-verify', '--pg-schema', schema, ...data.slice(0, -1), '4', '--samples', '10');
    expect(wrong.code).toBe(1);
  });

  it('bad flags name the flag and exit 2', async () => {
    const bad: [Promise<{ code: number; stderr: string }>, RegExp][] = [
      [cli('pg-seed', '--pg-schema', 'No-Way'), /--pg-schema/],
      [cli('pg-seed', '--pg', 'mysql://x'), /--pg /],
      [cli('pg-seed', '--pg-schema', schema, '--batch', '0'), /--batch must be/],
      [study('--sizes', '10,abc'), /--sizes must be/],
      [study('--sizes', '500,100'), /--sizes must be increasing/],
      [study('--iterations', '0'), /--iterations must be/],
    ];
    for (const [p, re] of bad) {
      const r = await p;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });

  it("the study's server restarts cold with its data kept", async () => {
    const server = await StudyServer.create();
    try {
      await server.start({ sharedBuffers: '32MB', checkpointTimeoutS: 300 });
      const q = async (sql: string) => {
        const c = new pg.Client({ connectionString: server.url });
        await c.connect();
        try {
          return (await c.query(sql)).rows;
        } finally {
          await c.end();
        }
      };
      await q('CREATE TABLE kept AS SELECT 42 AS n');
      // Only root may drop the OS page cache; anyone else is told it stayed.
      const dropped = await server.restartCold();
      if (process.getuid?.() !== 0) expect(dropped).toBe(false);
      expect(await q('SELECT n FROM kept')).toEqual([{ n: 42 }]);
    } finally {
      await server.destroy();
    }
  });

  it('the index study runs at tiny sizes on a private server and writes every table from its own measurements', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ixs-'));
    const out = join(dir, 'study.md');
    const servers = () => readdirSync(tmpdir()).filter((n) => n.startsWith('agentstore-index-study-'));
    const before = servers();
    const r = await study(
      '--sizes',
      '40,80',
      '--iterations',
      '2',
      '--insert-sessions',
      '10',
      '--write-repeats',
      '1',
      // Its restarts are checked below on their own: here, one per configuration would add minutes.
      '--cold-restarts',
      '0',
      '--out',
      out,
      '--schema-prefix',
      prefix,
    );
    expect(r.stderr).toMatch(/wrote /);
    expect(r.code).toBe(0);
    const doc = await readFile(out, 'utf8');
    expect(doc).toContain('### Verdicts');
    expect(doc).toMatch(/^\| `steps_pending_oldest` \| partial \| .* \| \*\*(keep|reject)\*\*/m);
    for (const id of ['P1', 'P2', 'P3', 'A1', 'A5', 'E1', 'E3', 'G5', 'G1', 'T1'])
      expect(doc).toMatch(new RegExp(`^#### ${id}: `, 'm'));
    expect(doc).toMatch(/^\| all vs all -steps_created_brin \| [\d.]+ \[[\d.]+, [\d.]+\]x \|/m);
    // The B-tree is the BRIN's alternative: judged in its place, against the same "all" without the BRIN.
    expect(doc).toMatch(/^\| all, steps_created_btree for steps_created_brin vs all -steps_created_brin \| [\d.]+ \[/m);
    expect(doc).not.toMatch(/all -steps_created_btree/);
    // Account queries are split by account size, and every cell (configuration x size) got its calls.
    expect(doc).toMatch(
      /^Account strata \(by sessions per account in this dataset\): small accounts: `acct_\w+` \(\d+ sessions\)/m,
    );
    expect(doc).toMatch(/^\| baseline \| small accounts \| 2 \| /m);
    // A configuration that runs another's plan is timed once with it: the calls column names whose calls it shows.
    expect(doc).toMatch(/^\| all -sessions_account_recent \| large accounts \| 2( \([^)]+\))? \| /m);
    expect(doc).toMatch(/^\| (\+|all)\S* \| (\w+ accounts \| )?2 \((baseline|all|\+\w+|all -\w+)\) \| /m);
    expect(doc).toContain('Every cell got 2 calls.');
    // The sustained mixed workload ran across checkpoints and reports WAL with full-page images, HOT and bloat.
    expect(doc).toMatch(/^4 rounds, 4 CHECKPOINTs \(one before each round\), full_page_writes = on\.$/m);
    expect(doc).toMatch(
      /^\| baseline \(foreign-key indexes\) \| \d+ \| [1-9]\d* \| \d+ \| [\d.]+ \| [1-9]\d* \| [\d.]+% \| /m,
    );
    expect(doc).toMatch(/^\| human_turns \| [\d.]+% \| [\d.]+% \| \d+ KiB \| \d+ KiB \|$/m);
    expect(doc).toMatch(/^\| `steps_classifier_label` \| expression \| steps \| \d+ KiB/m);
    expect(doc).toMatch(
      /^\| baseline \(foreign-key indexes\) \| \d+ \| [\d.]+ \| 0\.0% \| \d+ \| \d+ \| \d+ \| \d+ \|$/m,
    );
    // The schema variants are judged like any candidate, and their columns' cost is measured apart.
    expect(doc).toMatch(/^\| `agent_turns_account_day` \| covering \| .* \| \*\*(keep|reject)\*\*/m);
    expect(doc).toMatch(
      /^\| `steps_label_score` \| partial \| .* \| [\d.]+ \(columns [\d.]+\) \| \*\*(keep|reject)\*\*/m,
    );
    expect(doc).toMatch(
      /^\| `steps_label_score` \| `steps\.label` .* \| steps: \d+ KiB → \d+ KiB \(\+[\d.]+%\) \| \d+ → \d+ \|/m,
    );
    expect(doc).toMatch(/^\| all vs all -agent_turns_account_day \| /m);
    // The daily rollup of steps: a new table, judged by the same rule, its upkeep in its key's write cost.
    expect(doc).toMatch(/^\| `steps_daily_key` \| unique \| .* \| \*\*(keep|reject)\*\*/m);
    expect(doc).toMatch(
      /^\| `steps_daily_key` \| `steps_daily`: .* \| steps_daily: 0 KiB → \d+ KiB \(a new table\) \|/m,
    );
    expect(doc).toMatch(
      /^\| \+steps_daily_key vs baseline \| .* \| yes \| .*\+Index Only Scan using steps_daily_key on steps_daily/m,
    );
    expect(doc).toContain('Not run (`--cold-restarts 0`');
    const plans = await readFile(join(dir, 'study-plans.md'), 'utf8');
    // A variant's configurations show the SQL they ran.
    expect(plans).toMatch(/^\+steps_label_score:\n\n```sql\n[^`]*\(label\) = \$1/m);
    expect(plans).toMatch(/^all -steps_pending_oldest:$/m);
    expect(plans).toMatch(/^\+steps_daily_key:\n\n```sql\nSELECT tpe, sum\(steps\)::int AS n FROM steps_daily\n/m);
    expect(plans).toMatch(/Seq Scan on steps/);
    expect(plans).toMatch(/Buffers: shared hit=/);
    // The report can be written again from the run's figures, without measuring: the same text.
    const again = join(dir, 'again.md');
    const rendered = await study('--render', '.reports/index-study.json', '--out', again);
    expect(rendered.code).toBe(0);
    expect(await readFile(again, 'utf8')).toBe(doc);
    // The private server and its data directory are gone.
    expect(servers().filter((n) => !before.includes(n))).toEqual([]);
  });
});
