import type { Command } from 'commander';
import { auditCommand } from './commands/audit.ts';
import { backupCommand } from './commands/backup.ts';
import { cdcProbeCommand } from './commands/cdc-probe.ts';
import { connectorCommand } from './commands/connector.ts';
import { migrateCommand, statusCommand } from './commands/migrate.ts';
import { partitionsCommand } from './commands/partitions.ts';
import { projectCommand } from './commands/project.ts';
import { rebuildCommand } from './commands/rebuild.ts';
import { restoreCommand } from './commands/restore.ts';
import { seedCommand } from './commands/seed.ts';
import { verifyCommand } from './commands/verify.ts';
import { waitCommand } from './commands/wait.ts';

/**
 * The commands the chart's pods run (the Jobs, the test pod, the projector, the connector
 * supervisor, the backup CronJob), and so the whole of the chart's bundle (src/cli/pod.ts, scripts/bundle.ts). A command
 * added here grows every `helm install`: test/chart/release-size.test.ts measures it.
 */
export const podCommands = (o: { audit?: Command } = {}): Command[] => [
  migrateCommand(),
  statusCommand(),
  seedCommand(),
  verifyCommand(),
  partitionsCommand(),
  projectCommand(),
  rebuildCommand(),
  o.audit ?? auditCommand(),
  cdcProbeCommand(),
  connectorCommand(),
  waitCommand(),
  backupCommand(),
  restoreCommand(),
];
