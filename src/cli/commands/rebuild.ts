import { Command } from 'commander';
import { readSideConfig } from '../../config/read-side.ts';
import { jsonLogger } from '../../log/log.ts';
import { rebuild } from '../../projector/rebuild.ts';

export function rebuildCommand(): Command {
  return new Command('rebuild')
    .description(
      'rebuild every Redis read model from the earliest CDC offset under a new key prefix, switch to it atomically, drop the old one (same env as `project`)',
    )
    .option(
      '--grace-seconds <n>',
      'wait this long after the switch before dropping the old keys (readers re-read the pointer every second)',
      '5',
    )
    .action(async (opts: { graceSeconds: string }) => {
      const result = await rebuild(readSideConfig(), jsonLogger({ component: 'rebuild' }), {
        graceMs: Number(opts.graceSeconds) * 1000,
      });
      console.log(
        `rebuilt read models: generation ${result.from} -> ${result.to} in ${result.seconds.toFixed(1)} s; dropped ${result.droppedKeys} old keys`,
      );
    });
}
