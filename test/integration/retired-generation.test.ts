import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log/log.ts';
import { ProjectorMetrics } from '../../src/projector/metrics.ts';
import { Projector } from '../../src/projector/projector.ts';
import { currentGeneration, dropGeneration, groupOf, prefixOf } from '../../src/readmodels/generation.ts';
import { AgentStore } from '../../src/store/store.ts';
import { groupLag, kafkaClient } from '../../src/clients/kafka.ts';
import { cdcTopics } from '../../src/cdc/topics.ts';
import { snapshot } from '../support/readside.ts';
import { useStandinStack } from '../support/standin-stack.ts';

// A projector still consuming a generation that a rebuild has dropped (it has not followed the
// pointer yet): its late batches must not bring the dropped keys back, nor be committed as done,
// nor crash it. The rebuild tests cannot place a batch in that window on purpose; this one does.
const s = useStandinStack('retired');
const { rs, ks } = s;

describe('a retired generation', () => {
  it("refuses a live projector's late batches: nothing written, nothing committed, the projector pauses", async () => {
    const lines: { level: string; msg: string }[] = [];
    const log: Logger = { log: (level, msg) => void lines.push({ level, msg }), child: () => log };
    const generation = await currentGeneration(s.redis, rs.keyPrefix);
    const projector = new Projector({ config: rs, generation, log, metrics: new ProjectorMetrics() });
    await projector.start();
    const admin = kafkaClient(rs.brokers, 'test-retired', log).admin();
    await admin.connect();
    const standin = await s.openStandin();
    try {
      await dropGeneration(s.redis, rs.keyPrefix, generation);
      const store = new AgentStore(standin, ks);
      await store.createSession({ sessionId: 'ses_late', accountId: 'acct_late', title: 'Late', at: new Date() });
      const lagOf = () => groupLag(admin, groupOf(rs.group, generation), cdcTopics(rs));
      for (let i = 0; i < 100 && !lines.some((l) => l.msg.startsWith('generation retired')); i++)
        await new Promise((r) => setTimeout(r, 200));
      expect(lines.filter((l) => l.msg.startsWith('generation retired')).map((l) => l.level)).toEqual(['warn']);
      expect(await snapshot(s.redis, prefixOf(rs.keyPrefix, generation))).toEqual({});
      // Not committed: the new generation's group, which the rebuild left caught up, is where these land.
      expect(await lagOf()).toBeGreaterThan(0);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      await standin.close();
      await admin.disconnect();
      await projector.stop();
      await s.redis.del(prefixOf(rs.keyPrefix, generation));
    }
  }, 120_000);
});
