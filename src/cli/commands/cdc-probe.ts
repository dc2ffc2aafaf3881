import { Command } from 'commander';
import type { CdcStandinExecutor } from '../../cdc/standin/executor.ts';
import { connectCql } from '../../cql/connect.ts';
import { requireSchema } from '../../migrations/runner.ts';
import { intFlag, type CqlFlags } from '../../config/settings.ts';
import { RedisQueries } from '../../readmodels/queries.ts';
import { readSideConfig } from '../../config/read-side.ts';
import { probeCdc, ProbeTimeoutError } from '../../verify/cdc-probe.ts';
import { redisClient } from '../../clients/redis.ts';
import { AgentStore } from '../../store/store.ts';
import { openStandinIf, settingsFrom, withCqlOptions, withStandinOption } from '../options.ts';

/**
 * `agentstore cdc-probe`: the whole CDC path, end to end, on a running stack (helm test runs it):
 * writes fresh conversations through the store to the write model and waits until each is complete
 * in the Redis read models, which only the connector, Kafka and the projector can make happen.
 */
export function cdcProbeCommand(): Command {
  return withStandinOption(withCqlOptions(new Command('cdc-probe')))
    .description(
      'write probe conversations to the write model and wait until the projector shows each in Redis (env AGENTSTORE_REDIS, AGENTSTORE_REDIS_PASSWORD, AGENTSTORE_REDIS_PREFIX); exit 1 if any is missing at the deadline',
    )
    .option(
      '--writes <n>',
      'probe conversations (session, human turn, agent turn with one step; ids probe-<run>-<i>)',
      '20',
    )
    .option(
      '--timeout <seconds>',
      'deadline for all of them to be visible; the connector reads CDC in windows, so allow tens of seconds',
      '180',
    )
    .action(async (opts: CqlFlags & { writes: string; timeout: string; cdcStandin?: boolean }) => {
      const writes = intFlag('--writes', opts.writes, 1, 10_000);
      const timeoutMs = intFlag('--timeout', opts.timeout, 1, 3600) * 1000;
      const s = settingsFrom(opts);
      const readSide = readSideConfig();
      const redis = redisClient(readSide);
      await redis.connect();
      const { exec } = await connectCql(s);
      let standin: CdcStandinExecutor | undefined;
      // The probe can wait minutes for the connector's CDC windows: say where it stands every 10 s.
      let visibleSoFar = 0;
      const started = performance.now();
      const heartbeat = setInterval(() => {
        const secs = Math.round((performance.now() - started) / 1000);
        console.error(
          `waiting for the read models: ${visibleSoFar}/${writes} probe conversations visible after ${secs} s (deadline ${timeoutMs / 1000} s)`,
        );
      }, 10_000);
      try {
        await requireSchema(exec, s.keyspace);
        standin = await openStandinIf(opts.cdcStandin, exec, s.keyspace);
        const result = await probeCdc(
          new AgentStore(standin ?? exec, s.keyspace),
          new RedisQueries(redis, readSide.keyPrefix),
          {
            writes,
            timeoutMs,
            spacingMs: 50,
            onProgress: (visible, total) => {
              visibleSoFar = visible;
              if (visible === total || visible % Math.max(1, Math.ceil(total / 10)) === 0)
                console.error(`visible in Redis: ${visible}/${total}`);
            },
          },
        );
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `CDC path ok: ${result.writes} probe conversations (run ${result.run}, keyspace ${s.keyspace}) visible in the read models in ${secs} s; lag p50 ${Math.round(result.p50Ms)} ms, p99 ${Math.round(result.p99Ms)} ms`,
        );
      } catch (err) {
        if (!(err instanceof ProbeTimeoutError)) throw err;
        console.error(`error: ${err.message}`);
        console.error(
          "next: check the connector (GET /connectors/<name>/status on Kafka Connect), the projector's logs and /metrics (agentstore_projector_* lag and dead letters), and that AGENTSTORE_REDIS_PREFIX matches the projector's",
        );
        process.exitCode = 1;
      } finally {
        clearInterval(heartbeat);
        await standin?.close();
        await redis.quit().catch(() => {});
        await exec.close();
      }
    });
}
