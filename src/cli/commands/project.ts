import { Command } from 'commander';
import { main } from '../../projector/main.ts';

export function projectCommand(): Command {
  return new Command('project')
    .description(
      'run the projector: CDC topics -> Redis read models (env AGENTSTORE_KAFKA, AGENTSTORE_REDIS, AGENTSTORE_TOPIC_PREFIX, AGENTSTORE_KEYSPACE, AGENTSTORE_CONSUMER_GROUP, AGENTSTORE_REDIS_PREFIX, AGENTSTORE_METRICS_PORT)',
    )
    .action(async () => {
      await main();
      // Runs until SIGTERM/SIGINT.
      await new Promise(() => {});
    });
}
