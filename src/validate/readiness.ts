/**
 * Per-component readiness, watched live while Helm installs. A component is ready when all its
 * pods are Ready (ScyllaDB's readiness probe is a CQL query, Kafka's a broker request, the
 * projector's its /readyz: joined its consumer group and Redis answers). A pod not
 * ready by the deadline ends the run with its name, its state and its last log lines.
 */
import type { Kube, PodState } from './kube.ts';
import { ValidateFailure } from './types.ts';

const COMPONENTS = ['scylladb', 'kafka', 'connect', 'redis', 'projector'] as const;

/** Subchart pods are named by app.kubernetes.io/name; the umbrella's projector by its component label. */
function componentOf(p: PodState): string | undefined {
  return p.labels['app.kubernetes.io/component'] === 'projector' ? 'projector' : p.labels['app.kubernetes.io/name'];
}

function summarize(pods: PodState[]): { line: string; ready: boolean } {
  const parts = COMPONENTS.map((c) => {
    const mine = pods.filter((p) => componentOf(p) === c);
    return { c, ready: mine.filter((p) => p.ready).length, total: mine.length };
  });
  return {
    line: parts.map((p) => `${p.c} ${p.ready}/${p.total}`).join('  '),
    ready: parts.every((p) => p.total > 0 && p.ready === p.total),
  };
}

function stateOf(p: PodState): string {
  const bad = p.containers
    .filter((c) => !c.ready)
    .map(
      (c) =>
        `${c.name}: ${c.waitingReason ?? (c.exitCode !== undefined ? `exited ${c.exitCode}` : 'not ready')}${c.restarts ? `, ${c.restarts} restarts` : ''}`,
    );
  return `phase ${p.phase}${bad.length ? `; ${bad.join('; ')}` : ''}`;
}

/** Last log lines of every not-ready container of a pod, each headed by its name. */
export async function lastLogs(kube: Kube, namespace: string, pod: PodState, lines = 20): Promise<string[]> {
  const out: string[] = [];
  const events = await kube.events(namespace, pod.name).catch(() => []);
  if (events.length) out.push(`--- ${pod.name}, events:`, ...events.slice(-10));
  const names = pod.containers.filter((c) => !c.ready).map((c) => c.name);
  for (const c of names.length ? names : [undefined]) {
    const text = await kube.logs(namespace, pod.name, c, lines).catch((e: Error) => `(no logs: ${e.message})`);
    out.push(`--- ${pod.name}${c ? ` (${c})` : ''}, last ${lines} log lines:`, ...text.trimEnd().split('\n'));
  }
  return out;
}

export interface WaitOptions {
  timeoutMs: number;
  onLine: (line: string) => void;
  /** Resolves early (e.g. Helm failed): the wait stops without an error of its own. */
  abort?: Promise<unknown>;
}

export async function waitReady(kube: Kube, namespace: string, o: WaitOptions): Promise<string> {
  let latest: PodState[] = [];
  let done: (v: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    done = resolve;
  });
  const stop = await kube.watchPods(namespace, (pods) => {
    latest = pods;
    const s = summarize(pods);
    o.onLine(s.line);
    if (s.ready) done(s.line);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), o.timeoutMs);
  });
  try {
    const r = await Promise.race([ready, timeout, ...(o.abort ? [o.abort.then(() => 'aborted')] : [])]);
    if (r !== null) return r;
  } finally {
    clearTimeout(timer);
    stop();
  }
  const stuck = latest.filter((p) => !p.ready && p.phase !== 'Succeeded');
  const missing = COMPONENTS.filter((c) => !latest.some((p) => componentOf(p) === c));
  const details: string[] = [];
  for (const p of stuck) details.push(...(await lastLogs(kube, namespace, p)));
  const names = [...stuck.map((p) => `${p.name} (${stateOf(p)})`), ...missing.map((c) => `${c}: no pod created`)];
  throw new ValidateFailure(
    `not ready after ${Math.round(o.timeoutMs / 1000)} s: ${names.join(', ') || 'unknown pods'}`,
    `see the logs below and \`kubectl -n ${namespace} describe pod ${stuck[0]?.name ?? '<pod>'}\`; an ImagePullBackOff needs network access to the registry, a Pending pod more capacity; then run \`make validate\` again (the release is upgraded in place)`,
    details,
  );
}
