import { currentGeneration } from '../readmodels/generation.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import type { Logger } from '../log/log.ts';
import { redisClient } from '../clients/redis.ts';
import { ProjectorMetrics } from './metrics.ts';
import { Projector } from './projector.ts';

export interface RunningProjector {
  metricsPort: number;
  stop(): Promise<void>;
}

/**
 * The long-running projector: metrics/health endpoints, the projector of the live generation, and
 * a watch on the generation pointer. When `agentstore rebuild` switches generations, this process
 * stops consuming the old one (committing its batch) and continues with the new generation's group,
 * which the rebuild left caught up.
 */
export async function runProjector(config: ReadSideConfig, log: Logger, watchMs = 2000): Promise<RunningProjector> {
  const metrics = new ProjectorMetrics();
  const { server, port } = await metrics.serve(config.metricsPort);
  const redis = redisClient(config);
  redis.on('error', (err: Error) => log.log('warn', 'redis connection error', { error: err.message }));
  await redis.connect();
  let generation = await currentGeneration(redis, config.keyPrefix);
  let projector = new Projector({ config, generation, log, metrics });
  await projector.start();
  let switching: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    switching = switching
      .then(async () => {
        const now = await currentGeneration(redis, config.keyPrefix);
        if (now === generation) return;
        log.log('info', 'read-model generation switched: following it', { from: generation, to: now });
        await projector.stop();
        generation = now;
        projector = new Projector({ config, generation, log, metrics });
        await projector.start();
      })
      .catch((err: Error) => log.log('error', 'generation watch failed', { error: err.message }));
  }, watchMs);
  return {
    metricsPort: port,
    async stop() {
      clearInterval(timer);
      await switching;
      await projector.stop();
      await redis.quit().catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
