import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { dayFlag, intFlag, UsageError } from '../../config/settings.ts';
import type { SeedConfig } from '../../seed/generator.ts';
import { connectPg, dropSchema, pgSettings, SCHEMA_PATTERN } from '../connect.ts';
import { renderPlans, renderReport, type StudyMeta } from './report.ts';
import { runSize, type SizeResult } from './run.ts';
import { StudyServer } from './server.ts';
import { REPORTS_DIR, repoPath } from '../../util/repo.ts';

/**
 * `npx tsx src/postgres/index-study/main.ts`: measures every secondary index against the query it
 * serves at each --sizes (sessions; ~14 steps each, so 7000 ~ 100k steps and 70000 ~ 1M), and
 * writes the report (--out) and the plans next to it.
 */
const program = new Command('index-study')
  .description(
    'measure read latency, plans, WAL, throughput and size of the PostgreSQL secondary indexes; writes docs/index-study.md',
  )
  .option(
    '--sizes <n,n>',
    'dataset sizes in sessions, smallest first (~15 steps per session; 70000 ~ 1M steps)',
    '1000,4000',
  )
  .option(
    '--iterations <n>',
    'timed calls per cell: per query, configuration and account-size stratum (interleaved)',
    '500',
  )
  .option('--timeout-ms <n>', 'statement timeout: a call slower than this counts as a timeout', '20000')
  .option(
    '--budget-ms <n>',
    'ceiling per query: it is timed until every cell has --iterations calls, or stops here (the report says where and why)',
    '300000',
  )
  .option('--insert-sessions <n>', 'sessions in the batch whose insert cost is measured', '200')
  .option('--write-repeats <n>', 'runs per write configuration (the minimum WAL is kept)', '1')
  .option('--mixed-rounds <n>', 'rounds of the sustained mixed workload, a CHECKPOINT before each (0: skip it)', '4')
  .option(
    '--cold-restarts <n>',
    'cold-cache first calls per configuration, each after a server restart with the OS page cache dropped (0: skip; private server only)',
    '2',
  )
  .option('--seed <n>', 'generator seed', '42')
  .option('--accounts <n>', 'accounts', '100')
  .option('--days <n>', 'days of history', '30')
  .option('--end-date <YYYY-MM-DD>', 'first day after the dataset', '2026-11-01')
  .option(
    '--out <file>',
    'report to write (the plans go to <name>-plans.md beside it)',
    repoPath('docs/index-study.md'),
  )
  .option('--pg <url>', 'an existing PostgreSQL to run on (default: a private server the study starts and removes)')
  .option(
    '--schema-prefix <name>',
    'schemas used: <prefix>_<sessions>, dropped at the end unless --keep',
    'index_study',
  )
  .option('--keep', 'keep the study schemas')
  .option(
    '--render <json>',
    "write the report from a previous run's figures (.reports/index-study.json) instead of measuring",
  )
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
    mixedRounds: intFlag('--mixed-rounds', String(o['mixedRounds']), 0, 100),
    coldRestarts: intFlag('--cold-restarts', String(o['coldRestarts']), 0, 100),
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
  const measure = async (): Promise<{ meta: StudyMeta; results: SizeResult[] }> => {
    const startedAt = new Date().toISOString();
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    const results: SizeResult[] = [];
    let postgres = '';
    const server = o['pg'] ? undefined : await StudyServer.create();
    // Interrupted: take our server and its folder with us.
    const stop = () => {
      server?.killNow();
      process.exit(130);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await server?.start({ sharedBuffers: '256MB', checkpointTimeoutS: 300 });
      const url = o['pg'] ? String(o['pg']) : server!.url;
      for (const sessions of sizes) {
        const schema = `${prefix}_${sessions}`;
        // One connection per configuration of a query (protocol.ts), plus the loader's.
        const pool = connectPg({ ...pgSettings({ pg: url }), schema }, 12);
        try {
          postgres ||= String((await pool.query('SHOW server_version')).rows[0].server_version).replace(/ .*/, '');
          console.error(`size ${sessions} sessions (schema ${schema})`);
          const restart = server ? () => server.restartCold() : undefined;
          results.push(await runSize(pool, schema, { ...base, sessions }, { ...timing, restart }));
          if (!o['keep']) await dropSchema(pool, schema);
        } finally {
          await pool.end();
        }
      }
    } finally {
      await server?.destroy();
    }
    const meta: StudyMeta = {
      command: `npx tsx src/postgres/index-study/main.ts ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt,
      postgres: `PostgreSQL ${postgres}`,
      cpus: cpus().length,
      load,
      iterations: timing.iterations,
      budgetMs: timing.budgetMs,
      timeoutMs: timing.timeoutMs,
      insertSessions: timing.insertSessions,
      coldRestarts: server ? timing.coldRestarts : 0,
      plansFile,
    };
    return { meta, results };
  };
  const { meta, results } = o['render']
    ? (JSON.parse(await readFile(String(o['render']), 'utf8')) as { meta: StudyMeta; results: SizeResult[] })
    : await measure();
  await mkdir(dirname(out), { recursive: true });
  await mkdir(REPORTS_DIR, { recursive: true });
  if (!o['render']) await writeFile(join(REPORTS_DIR, 'index-study.json'), JSON.stringify({ meta, results }));
  await writeFile(out, renderReport(meta, results));
  await writeFile(join(dirname(out), plansFile), renderPlans(meta, results));
  console.error(`wrote ${out} and ${join(dirname(out), plansFile)}`);
} catch (err) {
  const e = err as Error & { code?: string; exitCode?: number };
  if (e.code?.startsWith('commander.')) process.exit(e.exitCode ?? 2);
  console.error(`error: ${e.message}`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
