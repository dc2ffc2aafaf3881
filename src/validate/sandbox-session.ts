/**
 * What every sandbox step shares: the release and namespace, helm and kubectl runs that fail with the pods' events
 * and logs, and the data snapshot that each disruptive step compares against.
 */
import type { Helm, Host, Kube } from './kube.ts';
import { lastLogs, waitReady } from './readiness.ts';
import { describeData, sameData, snapshot, type DataSnapshot } from './sandbox-data.ts';
import { ValidateFailure, type StepContext } from './types.ts';

const SANDBOX_RELEASE = 'agentstore';
const SANDBOX_NAMESPACE = 'agentstore';

export interface SandboxDeps {
  kube: () => Kube;
  helm: Helm;
  host: Host;
  kubectl: string;
  /** JSON phase times of the `scripts/cluster up` that preceded this run. */
  upReport?: string;
  timeoutMs: number;
}

export const tail = (s: string, n: number): string[] => s.trimEnd().split('\n').slice(-n);
const KEYSPACES = ['agentstore', 'agentstore_helm_test'];

export type SandboxSession = ReturnType<typeof sandboxSession>;

export function sandboxSession(d: SandboxDeps) {
  let kube: Kube | undefined;
  const k = (): Kube => (kube ??= d.kube());
  const ns = SANDBOX_NAMESPACE;
  const rel = SANDBOX_RELEASE;
  const helm = async (args: string[], line: (l: string) => void, what: string) => {
    const r = await d.helm.run([...args, '--namespace', ns], line);
    if (r.code !== 0) {
      const failing = (
        await k()
          .listPods(ns)
          .catch(() => [])
      ).filter((p) => !p.ready && p.phase !== 'Succeeded');
      const logs: string[] = [];
      for (const p of failing) logs.push(...(await lastLogs(k(), ns, p)));
      throw new ValidateFailure(
        `${what} failed (exit ${r.code})`,
        `read helm's message and the pods' events and logs below; \`make cluster-status\``,
        [...tail(r.stderr || r.stdout, 20), ...logs],
      );
    }
    return r;
  };
  /** helm install/upgrade --wait while every pod's readiness is shown live; a stuck pod is named with events and logs. */
  const deploy = async (args: string[], line: (l: string) => void, what: string) => {
    const done = helm([...args, '--wait', '--timeout', '15m'], line, what);
    done.catch(() => undefined);
    const ready = await waitReady(k(), ns, {
      timeoutMs: d.timeoutMs,
      onLine: line,
      abort: done.then(
        () => undefined,
        () => undefined,
      ),
    });
    await done;
    return ready;
  };
  const kubectl = async (args: string[], timeoutMs = 60_000) => {
    const r = await d.host.exec(d.kubectl, ['-n', ns, ...args], timeoutMs);
    if (r.code !== 0)
      throw new ValidateFailure(
        `kubectl ${args.join(' ')} failed`,
        'see the message below',
        tail(r.stderr || r.stdout, 10),
      );
    return r.stdout;
  };
  const data = (ctx: StepContext) => ctx.data as { before?: DataSnapshot; secrets?: Record<string, unknown> };
  const dataOptions = { namespace: ns, release: rel, keyspaces: KEYSPACES, kubectl: d.kubectl };
  const compare = async (ctx: StepContext, what: string): Promise<string> => {
    const before = data(ctx).before!;
    const after = await snapshot(k(), d.host, dataOptions);
    const diffs = sameData(before, after);
    if (diffs.length) throw new ValidateFailure(`data changed across ${what}`, 'see the differences below', diffs);
    return `rows and Redis keys before == after ${what} (${describeData(after)})`;
  };
  const generatedSecrets = async (): Promise<Record<string, string>> => {
    const out = JSON.parse(
      await kubectl(['get', 'secret', '-l', `app.kubernetes.io/instance=${rel}`, '-o', 'json']),
    ) as {
      items: { metadata: { name: string }; data?: Record<string, string> }[];
    };
    return Object.fromEntries(out.items.map((s) => [s.metadata.name, JSON.stringify(s.data ?? {})]));
  };

  const takeSnapshot = () => snapshot(k(), d.host, dataOptions);
  return { d, k, ns, rel, helm, deploy, kubectl, data, takeSnapshot, compare, generatedSecrets };
}
