/**
 * `make validate`: picks the target, builds its steps on the real implementations, runs them.
 * Settings (environment): VALIDATE_TARGET=cluster|kind|sandbox|local (default: automatic), VALIDATE_SESSIONS
 * (main dataset, default 8000), VALIDATE_CDC_SESSIONS (CDC path dataset, default 1000:
 * seeding through the stand-in and projecting is the slow part, and the run must stay under 5 minutes),
 * VALIDATE_CDC_WRITES (lag probes, default 200), VALIDATE_TIMEOUT_S (per wait, default 600),
 * VALIDATE_HELM (the helm binary; default .tools/bin/helm, else helm on PATH),
 * AGENTSTORE_KEYSPACE (default agentstore_validate).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ENV, readEnv } from '../config/env.ts';
import { intFlag, UsageError } from '../config/settings.ts';
import { clusterSteps } from './cluster-steps.ts';
import { spawnSync } from 'node:child_process';
import { HelmBinary, LocalHost, runProcess } from './helm.ts';
import { ClientKube } from './kube-client.ts';
import type { Kube } from './kube.ts';
import { localSteps } from './local-steps.ts';
import { sandboxSteps } from './sandbox-steps.ts';
import { runValidate } from './orchestrator.ts';
import { createProgress } from './progress.ts';
import { SANDBOX_CONTEXT, SANDBOX_VALUES, selectTarget } from './target.ts';
import { ValidateFailure, type Target } from './types.ts';

/** Set by the outer run for the inner one, which runs inside the sandbox's network namespace. */
const INSIDE = 'VALIDATE_SANDBOX_INSIDE';
const REASONS = 'VALIDATE_SANDBOX_REASONS';
const UP_REPORT = '.reports/cluster-up.json';

/**
 * The sandbox target runs in two processes: this one brings the cluster up (or repairs or reuses it) from the
 * machine's own namespace, then runs validate again inside the cluster's network namespace, where the API server
 * and the pods are reachable (`scripts/cluster/main.ts exec`).
 */
async function runSandboxOuter(env: NodeJS.ProcessEnv, note: (l: string) => void): Promise<number> {
  const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
  const up = await runProcess(tsx, ['scripts/cluster/main.ts', 'up', '--report', UP_REPORT], (l) => note(l));
  if (up.code !== 0) {
    throw new ValidateFailure(
      `the sandbox cluster did not come up (scripts/cluster/main.ts up exited ${up.code})`,
      'read the [cluster] lines above; `make cluster-status` shows each part, `make cluster-down` removes a half-up cluster',
      tail(up.stderr || up.stdout, 20),
      up.code === 2 ? 2 : 1,
    );
  }
  const inner = spawnSync(tsx, ['scripts/cluster/main.ts', 'exec', '--', tsx, 'scripts/validate.ts'], {
    stdio: 'inherit',
    env: { ...env, VALIDATE_TARGET: 'sandbox', [INSIDE]: '1' },
  });
  return inner.status ?? 1;
}

const tail = (s: string, n: number): string[] => s.trimEnd().split('\n').slice(-n);

/** validate's own keyspace, recreated on every run; a keyspace given by AGENTSTORE_KEYSPACE is never dropped. */
const DEFAULT_KEYSPACE = 'agentstore_validate';

/** client-node falls back to http://localhost:8080 without a kubeconfig: that is "no cluster", not an unreachable one. */
function kubeOrNull(env: NodeJS.ProcessEnv, context?: string): Kube | null {
  const configured =
    env['KUBECONFIG'] || existsSync(join(homedir(), '.kube', 'config')) || env['KUBERNETES_SERVICE_HOST'];
  if (!configured) return null;
  try {
    return ClientKube.fromDefault(context);
  } catch {
    return null;
  }
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const progress = createProgress();
  try {
    const num = (name: string, fallback: number, min: number, max: number) =>
      intFlag(name, env[name] ?? String(fallback), min, max);
    const sessions = num('VALIDATE_SESSIONS', 8000, 1, 1_000_000);
    const cdcSessions = num('VALIDATE_CDC_SESSIONS', 1000, 1, 1_000_000);
    const cdcWrites = num('VALIDATE_CDC_WRITES', 200, 1, 100_000);
    const timeoutMs = num('VALIDATE_TIMEOUT_S', 600, 10, 86_400) * 1000;
    const keyspace = readEnv(env, ENV.keyspace) ?? DEFAULT_KEYSPACE;
    const host = new LocalHost();
    // Inside the netns /sys/fs/cgroup is not mounted (ip netns exec remounts /sys): the outer run chose already.
    const target: Target =
      env[INSIDE] === '1'
        ? {
            kind: 'sandbox',
            context: SANDBOX_CONTEXT,
            valuesFile: SANDBOX_VALUES,
            reasons: JSON.parse(env[REASONS] ?? '[]') as string[],
          }
        : await selectTarget({ kube: () => kubeOrNull(env), host, forced: env['VALIDATE_TARGET'] });
    if (target.kind === 'sandbox' && env[INSIDE] !== '1') {
      progress.note(`target: sandbox (${target.reasons.join('; ')}); bringing the sandbox cluster up`);
      return await runSandboxOuter({ ...env, [REASONS]: JSON.stringify(target.reasons) }, (l) => progress.note(l));
    }
    const helmBinary = env['VALIDATE_HELM'] ?? (await host.which('helm')) ?? 'helm';
    const steps =
      target.kind === 'sandbox'
        ? sandboxSteps({
            kube: () => ClientKube.fromDefault(),
            helm: new HelmBinary(helmBinary),
            host,
            kubectl: (await host.which('kubectl')) ?? 'kubectl',
            upReport: UP_REPORT,
            timeoutMs,
          })
        : target.kind === 'local'
          ? localSteps({
              keyspace,
              fresh: keyspace === DEFAULT_KEYSPACE,
              dataset: { seed: 42, sessions, accounts: 200, days: 30 },
              cdcSessions,
              cdcWrites,
              timeoutMs,
            })
          : clusterSteps({
              target,
              host,
              sessions,
              kube: () => ClientKube.fromDefault(target.context),
              helm: new HelmBinary(helmBinary),
              timeouts: { readyMs: timeoutMs, connectorMs: timeoutMs / 2, jobMs: timeoutMs },
            });
    const { exitCode } = await runValidate({ target, steps, progress });
    return exitCode;
  } catch (err) {
    if (err instanceof ValidateFailure) {
      progress.note(`validate FAILED: ${err.reason}\nnext step: ${err.nextStep}`);
      return err.exitCode;
    }
    if (err instanceof UsageError) {
      progress.note(`validate: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
