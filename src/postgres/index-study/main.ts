import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { dayFlag, intFlag, UsageError } from '../../config/settings.ts';
import type { SeedConfig } from '../../seed/generator.ts';
import { connectPg, dropSchema, pgSettings, SCHEMA_PATTERN } from '../connect.ts';
import { renderPlans, renderReport } from './report.ts';
import { runSize, type SizeResult } from './run.ts';
import { repoPath } from '../../util/repo.ts';

/**
 * `npx tsx src/postgres/index-study/main.ts`: measures every secondary index against the query it
 * serves at each --sizes (sessions; ~14 steps each, so 7000 ~ 100k steps and 70000 ~ 1M), and
 * writes the report (--out) and the plans next to it.
 */
const program = new Command('index-study')
  .description(
    'measure read latency, plans, WAL, throughput and size of the PostgreSQL secondary indexes; writes docs/index-study.md',
  )
  .option('--sizes <n,n>', 'dataset sizes in sessions, smallest first (~14 steps per session)', '7000,70000')
  .option('--iterations <n>', 'timed calls per query and configuration', '30')
  .option('--timeout-ms <n>', 'statement timeout: a query slower than this is reported as a timeout', '20000')
  .option('--budget-ms <n>', 'stop timing a slow query after this long (at least 3 calls)', '15000')
  .option('--insert-sessions <n>', 'sessions in the batch whose insert cost is measured', '500')
  .option('--write-repeats <n>', 'runs per write configuration (the minimum WAL is kept)', '2')
  .option('--seed <n>', 'generator seed', '42')
  .option('--accounts <n>', 'accounts', '100')
  .option('--days <n>', 'days of history', '30')
  .option('--end-date <YYYY-MM-DD>', 'first day after the dataset', '2026-11-01')
  .option(
    '--out <file>',
    'report to write (the plans go to <name>-plans.md beside it)',
    repoPath('docs/index-study.md'),
  )
  .option('--pg <url>', 'PostgreSQL URL (env AGENTSTORE_PG; default: local services)')
  .option(
    '--schema-prefix <name>',
    'schemas used: <prefix>_<sessions>, dropped at the end unless --keep',
    'index_study',
  )
  .option('--keep', 'keep the study schemas')
  .exitOverride();

try {
  program.parse(process.argv);
  const o = program.opts<Record<string, string | boolean | undefined>>();
  const sizes = String(o['sizes'])
    .split(',')
    .map((s) => intFlag('--sizes', s.trim(), 10, 2_000_000));
  if (sizes.some((s, i) => i > 0 && s <= sizes[i - 1]!))
    throw new UsageError('--sizes must be increasing, smallest first (e.g. 7000,70000)');
  const prefix = String(o['schemaPrefix']);
  if (!SCHEMA_PATTERN.test(`${prefix}_1`))
    throw new UsageError(
      `--schema-prefix "${prefix}" is not a valid schema name prefix (lower-case letters, digits, _)`,
    );
  const timing = {
    iterations: intFlag('--iterations', String(o['iterations']), 1, 10_000),
    timeoutMs: intFlag('--timeout-ms', String(o['timeoutMs']), 100, 3_600_000),
    budgetMs: intFlag('--budget-ms', String(o['budgetMs']), 1, 3_600_000),
    insertSessions: intFlag('--insert-sessions', String(o['insertSessions']), 1, 100_000),
    writeRepeats: intFlag('--write-repeats', String(o['writeRepeats']), 1, 10),
    log: (line: string) => console.error(line),
  };
  const base: Omit<SeedConfig, 'sessions'> = {
    seed: intFlag('--seed', String(o['seed']), 0, 2 ** 31 - 2),
    accounts: intFlag('--accounts', String(o['accounts']), 1, 1_000_000),
    days: intFlag('--days', String(o['days']), 1, 3650),
    endDate: dayFlag('--end-date', String(o['endDate'])),
  };
  const out = String(o['out']);
  const plansFile = `${basename(out, '.md')}-plans.md`;
  const startedAt = new Date().toISOString();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const results: SizeResult[] = [];
  let postgres = '';
  for (const sessions of sizes) {
    const schema = `${prefix}_${sessions}`;
    const pool = connectPg({ ...pgSettings({ ...(o['pg'] ? { pg: String(o['pg']) } : {}) }), schema }, 3);
    try {
      postgres ||= String((await pool.query('SHOW server_version')).rows[0].server_version).replace(/ .*/, '');
      console.error(`size ${sessions} sessions (schema ${schema})`);
      results.push(await runSize(pool, schema, { ...base, sessions }, timing));
      if (!o['keep']) await dropSchema(pool, schema);
    } finally {
      await pool.end();
    }
  }
  const meta = {
    command: `npx tsx src/postgres/index-study/main.ts ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt,
    postgres: `PostgreSQL ${postgres}`,
    cpus: cpus().length,
    load,
    iterations: timing.iterations,
    timeoutMs: timing.timeoutMs,
    insertSessions: timing.insertSessions,
    plansFile,
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, renderReport(meta, results));
  await writeFile(join(dirname(out), plansFile), renderPlans(meta, results));
  console.error(`wrote ${out} and ${join(dirname(out), plansFile)}`);
} catch (err) {
  const e = err as Error & { code?: string; exitCode?: number };
  if (e.code?.startsWith('commander.')) process.exit(e.exitCode ?? 2);
  console.error(`error: ${e.message}`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
