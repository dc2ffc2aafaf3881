import type { Redis } from '../clients/redis.ts';
import { currentGeneration, groupOf } from '../readmodels/generation.ts';
import { cdcTopics } from '../cdc/topics.ts';
import type { ReadSideConfig } from '../config/read-side.ts';
import { groupLag, kafkaClient } from '../clients/kafka.ts';
import { silentLogger } from '../log/log.ts';

export class NotCaughtUpError extends Error {
  override name = 'NotCaughtUpError';
  constructor(
    readonly timeoutMs: number,
    readonly lag: number,
  ) {
    super(`the projector did not catch up in ${timeoutMs / 1000} s (lag ${lag} messages)`);
  }
}

/**
 * Waits until the live generation's consumer group has committed everything produced to the CDC
 * topics, i.e. the read models reflect every change published so far. `onLag` sees each poll's lag
 * (-1 when it could not be read).
 */
export async function waitCaughtUp(
  c: ReadSideConfig,
  redis: Redis,
  opts: { timeoutMs: number; clientId: string; onLag?: (lag: number) => void },
): Promise<void> {
  const admin = kafkaClient(c.brokers, opts.clientId, silentLogger).admin();
  await admin.connect();
  try {
    const started = Date.now();
    for (;;) {
      const gen = await currentGeneration(redis, c.keyPrefix);
      const lag = await groupLag(admin, groupOf(c.group, gen), cdcTopics(c)).catch(() => -1);
      if (lag === 0) return;
      opts.onLag?.(lag);
      if (Date.now() - started > opts.timeoutMs) throw new NotCaughtUpError(opts.timeoutMs, lag);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await admin.disconnect();
  }
}
