// Clients of the sandbox run inside its network namespace (`ip netns exec`, fine for clients: only the daemons
// need the machine's /sys), with the sandbox's kubeconfig.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { $, type Duration, type ProcessOutput } from 'zx';
import { PrerequisiteError, REPO_ROOT } from '../services/lib.ts';
import { KUBECONFIG, NETNS } from './layout.ts';

export const TOOLS_BIN = path.join(REPO_ROOT, '.tools/bin');

export function tool(name: 'kubectl' | 'helm'): string {
  const p = path.join(TOOLS_BIN, name);
  if (!existsSync(p)) throw new PrerequisiteError(`${p} missing: run \`make setup\` first`);
  return p;
}

/** Runs a command in the netns with KUBECONFIG set; never throws (callers read exitCode). */
export function inNetns(
  cmd: string,
  args: string[],
  opts: { timeout?: Duration; input?: string } = {},
): Promise<ProcessOutput> {
  return $({
    quiet: true,
    nothrow: true,
    timeout: opts.timeout ?? '60s',
    env: { ...process.env, KUBECONFIG, PATH: `${TOOLS_BIN}:${process.env.PATH ?? ''}` },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  })`ip netns exec ${NETNS} ${cmd} ${args}`;
}

export const kubectl = (args: string[], opts: { timeout?: Duration; input?: string } = {}): Promise<ProcessOutput> =>
  inNetns(tool('kubectl'), args, opts);

/** kubectl that must succeed: the error carries its output. */
export async function kubectlOk(args: string[], opts: { timeout?: Duration; input?: string } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  if (r.exitCode !== 0)
    throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}
