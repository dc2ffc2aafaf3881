import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoPath } from '../../src/util/repo.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` from the repository root (e.g. ['bin/agentstore.js', 'seed', ...]) with extra
 * environment (undefined unsets a variable) and returns its exit code and output instead of throwing.
 */
export async function runNode(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
      cwd: repoPath(),
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `agentstore <args>` through bin/agentstore.js. */
export const runCli = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
  runNode([repoPath('bin/agentstore.js'), ...args], env);
