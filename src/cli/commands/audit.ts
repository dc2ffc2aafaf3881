import { Command } from 'commander';
import { Pushgateway } from 'prom-client';
import { audit, auditMetrics, formatAudit } from '../../audit/audit.ts';
import { sampleCql } from '../../audit/sample.ts';
import { redisClient } from '../../clients/redis.ts';
import { readSideConfig } from '../../config/read-side.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { connectCql } from '../../cql/connect.ts';
import type { KeyQueries } from '../../domain/queries.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { RedisQueries } from '../../readmodels/queries.ts';
import { CqlQueries } from '../../store/queries.ts';
import { writeFileAt } from '../../util/repo.ts';
import { settingsFrom, withCqlOptions } from '../options.ts';

/**
 * More stores to compare with CQL, from outside the pod bundle (the PostgreSQL baseline: src/postgres
 * stays out of the chart's bundle, so only the full CLI passes it).
 */
export interface AuditStores {
  withFlags(cmd: Command): Command;
  open(flags: Record<string, unknown>): Promise<{ stores: Record<string, KeyQueries>; close(): Promise<void> }>;
}

interface AuditFlags extends CqlFlags {
  sessions: string;
  accounts: string;
  days: string;
  recheckSeconds: string;
  metricsFile?: string;
  pushgateway?: string;
}

export function auditCommand(extra?: AuditStores): Command {
  const cmd = withCqlOptions(new Command('audit'))
    .description(
      'sample key queries on CQL and on the Redis read models (env AGENTSTORE_REDIS, AGENTSTORE_REDIS_PREFIX; and PostgreSQL with --pg, outside the chart), report divergences as text and Prometheus metrics, exit 1 on any',
    )
    .option('--sessions <n>', 'sessions to sample (an arc of the token ring from a random token)', '50')
    .option('--accounts <n>', 'accounts to check, from the sampled sessions', '10')
    .option('--days <n>', 'days each per-account and per-version query covers, up to the newest sampled', '7')
    .option(
      '--recheck-seconds <n>',
      'ask a differing check again after this long (the projector may lag); only a repeat counts',
      '5',
    )
    .option('--metrics-file <path>', 'write the metrics in the Prometheus text format (a node_exporter textfile)')
    .option('--pushgateway <url>', 'push the metrics to this Prometheus Pushgateway (job agentstore-audit)');
  return (extra ? extra.withFlags(cmd) : cmd).action(async (opts: AuditFlags) => {
    const sample = {
      sessions: intFlag('--sessions', opts.sessions, 1, 10_000),
      accounts: intFlag('--accounts', opts.accounts, 0, 1000),
      days: intFlag('--days', opts.days, 1, 366),
    };
    const recheckMs = intFlag('--recheck-seconds', opts.recheckSeconds, 0, 600) * 1000;
    const s = settingsFrom(opts);
    const readSide = readSideConfig({ ...process.env, AGENTSTORE_KEYSPACE: s.keyspace });
    const more = await extra?.open(opts as unknown as Record<string, unknown>);
    const redis = redisClient(readSide);
    await redis.connect();
    const { exec } = await connectCql(s);
    try {
      await requireSchema(exec, s.keyspace);
      const stores: Record<string, KeyQueries> = {
        redis: new RedisQueries(redis, readSide.keyPrefix),
        ...more?.stores,
      };
      const report = await audit(await sampleCql(exec, s.keyspace, sample), new CqlQueries(exec, s.keyspace), stores, {
        recheckMs,
      });
      console.log(formatAudit(report));
      const registry = auditMetrics(report);
      if (opts.metricsFile) await writeFileAt(opts.metricsFile, await registry.metrics());
      if (opts.pushgateway)
        await new Pushgateway(opts.pushgateway, {}, registry).pushAdd({ jobName: 'agentstore-audit' });
      if (!report.passed) process.exitCode = 1;
    } finally {
      await exec.close();
      await redis.quit().catch(() => {});
      await more?.close();
    }
  });
}
