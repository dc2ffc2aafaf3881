/**
 * Local mode on the real local services (`make services-up`): Cassandra as the CQL stand-in for
 * ScyllaDB, Kafka, Redis, the projector. migrate / seed / verify run the CLI itself (what a user
 * runs); the CDC step runs the stand-in feed and the projector in process (cdc-local.ts).
 */
import { readFile } from 'node:fs/promises';
import { cqlSettings } from '../config/settings.ts';
import { connectCql } from '../cql/connect.ts';
import { runProcess } from './helm.ts';
import { verifyCdcLocal } from './cdc-local.ts';
import type { TablePartitions } from '../store/partitions.ts';
import type { VerifyReport } from '../verify/verify.ts';
import { ValidateFailure, type Step } from './types.ts';
import { join } from 'node:path';
import { REPORTS_DIR, repoPath } from '../util/repo.ts';

export interface LocalOptions {
  keyspace: string;
  /** --seed --sessions --accounts --days of the main dataset */
  dataset: { seed: number; sessions: number; accounts: number; days: number };
  cdcSessions: number;
  cdcWrites: number;
  timeoutMs: number;
  /**
   * Drop the keyspace first. True for validate's own keyspace: rows of an earlier run with another
   * dataset (other --sessions, or another generator version) would not match the ground truth.
   */
  fresh: boolean;
}

async function dropKeyspace(keyspace: string): Promise<void> {
  const c = await connectCql(cqlSettings({ keyspace }));
  try {
    await c.exec.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  } finally {
    await c.exec.close();
  }
}

const CLI = [repoPath('bin/agentstore.js')];
/** verify's JSON report, read back for validate's own report. */
const VERIFY_JSON = join(REPORTS_DIR, 'verify.json');
const PARTITIONS_JSON = join(REPORTS_DIR, 'partitions.json');

async function cli(args: string[], onLine: (l: string) => void): Promise<string> {
  const r = await runProcess(process.execPath, [...CLI, ...args], onLine);
  if (r.code !== 0) {
    const hint =
      r.code === 2
        ? 'a flag or AGENTSTORE_* setting is wrong (named above)'
        : 'are the services up? `make services-status`; then run `make validate` again';
    throw new ValidateFailure(
      `agentstore ${args[0]} exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''}`,
      hint,
      (r.stderr || r.stdout).trimEnd().split('\n').slice(-15),
    );
  }
  return r.stdout.trim().split('\n').at(-1) ?? '';
}

const datasetArgs = (d: LocalOptions['dataset']) => [
  '--seed',
  String(d.seed),
  '--sessions',
  String(d.sessions),
  '--accounts',
  String(d.accounts),
  '--days',
  String(d.days),
];

export function localSteps(o: LocalOptions): Step[] {
  return [
    {
      name: 'preflight',
      async run(_ctx, line) {
        // Idempotent and quick when they already run: so `make validate` needs no services-up on a cluster target.
        const up = await runProcess(
          process.execPath,
          ['--import', import.meta.resolve('tsx'), repoPath('scripts/services/main.ts'), 'up'],
          line,
        );
        if (up.code !== 0) {
          throw new ValidateFailure(
            `the local services did not start (exit ${up.code})`,
            'read the lines above, then `make services-status`; `make setup` installs what they need',
            (up.stderr || up.stdout).trimEnd().split('\n').slice(-15),
          );
        }
        const services = up.stdout
          .split('\n')
          .filter((l) => /^\[\w+\]/.test(l))
          .map((l) => l.replace(/^\[(\w+)\].*?: /, '$1 '))
          .join(', ');
        const cql = await cli(['status', '--keyspace', o.keyspace], line).catch((e: unknown) => {
          // A keyspace not created yet makes `status` exit 1 ("behind"): that is what migrate is for.
          if (e instanceof ValidateFailure && /exited 1/.test(e.reason)) return 'schema not current yet';
          throw e;
        });
        return `node ${process.version}; ${services || 'services up'}; ${cql.replace(/\s+/g, ' ')}`;
      },
    },
    {
      name: 'install',
      run: async (ctx) => {
        ctx.notExercised.push('Kubernetes and the Helm chart (no reachable cluster, no docker+kind)');
        return 'nothing to install: the local services are already running';
      },
    },
    {
      name: 'migrate',
      async run(_ctx, line) {
        if (o.fresh) await dropKeyspace(o.keyspace);
        const detail = await cli(['migrate', '--keyspace', o.keyspace], line);
        return o.fresh ? `${detail} (keyspace ${o.keyspace} recreated)` : detail;
      },
    },
    { name: 'seed', run: (_ctx, line) => cli(['seed', '--keyspace', o.keyspace, ...datasetArgs(o.dataset)], line) },
    {
      name: 'verify queries',
      async run(ctx, line) {
        const detail = await cli(
          ['verify', '--keyspace', o.keyspace, ...datasetArgs(o.dataset), '--json', VERIFY_JSON],
          line,
        );
        ctx.data['verify'] = JSON.parse(await readFile(VERIFY_JSON, 'utf8')) as VerifyReport;
        return detail;
      },
    },
    {
      // Every table's largest partition in rows and bytes, measured on what the seed stored.
      name: 'partitions',
      async run(ctx, line) {
        const detail = await cli(['partitions', '--keyspace', o.keyspace, '--json', PARTITIONS_JSON], line);
        ctx.data['partitions'] = JSON.parse(await readFile(PARTITIONS_JSON, 'utf8')) as TablePartitions[];
        return detail;
      },
    },
    {
      name: 'verify CDC',
      async run(ctx, line) {
        const r = await verifyCdcLocal({
          keyspace: `${o.keyspace}_cdc`,
          writes: o.cdcWrites,
          timeoutMs: o.timeoutMs,
          onLine: line,
          dataset: { seed: 11, sessions: o.cdcSessions, accounts: 60, days: 30, endDate: '2026-11-01' },
        });
        ctx.data['cdc'] = r;
        ctx.notExercised.push(
          'ScyllaDB CDC and the ScyllaDB CDC Source Connector (the stand-in publishes in its format instead)',
        );
        const failed = r.report.queries.filter((q) => q.failed);
        if (!r.report.passed) {
          throw new ValidateFailure(
            `read models disagree with the ground truth: ${failed.map((q) => q.query).join(', ') || 'a query is missing'}`,
            'see the first mismatch below; rebuild the read models with `agentstore rebuild` and run `make validate` again',
            failed.map((q) => `${q.query}: ${JSON.stringify(q.firstFailure)}`),
          );
        }
        return (
          `${o.cdcSessions} sessions, ${r.published} change events -> projector -> Redis: all ${r.report.queries.length} key queries match; ` +
          `${r.writes} fresh writes all visible, lag p50 ${r.lagP50Ms.toFixed(0)} ms, p99 ${r.lagP99Ms.toFixed(0)} ms`
        );
      },
    },
  ];
}
