import { podCommands } from './pod-commands.ts';
import { runCli } from './run.ts';

/** The entry point of the chart's bundle: only the commands its pods run (./pod-commands.ts). */
await runCli(podCommands());
