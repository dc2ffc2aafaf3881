/**
 * Runs one of the cdk8s-built Jobs (seed, verify) and waits for it; a failure or a deadline
 * ends with the Job's pod logs.
 */
import type { Kube } from './kube.ts';
import { ValidateFailure } from './types.ts';

export interface RunJobOptions {
  namespace: string;
  timeoutMs: number;
  pollMs?: number;
  onLine: (line: string) => void;
}

async function podLogs(kube: Kube, namespace: string, job: string, lines: number): Promise<string[]> {
  const pods = await kube.listPods(namespace, `job-name=${job}`).catch(() => []);
  const out: string[] = [];
  for (const p of pods) {
    const text = await kube
      .logs(namespace, p.name, p.containers[0]?.name, lines)
      .catch((e: Error) => `(no logs: ${e.message})`);
    out.push(`--- ${p.name}, last ${lines} log lines:`, ...text.trimEnd().split('\n'));
  }
  return out;
}

/** Returns the Job's last log lines (its own report) on success. */
export async function runJob(kube: Kube, manifest: Record<string, unknown>, o: RunJobOptions): Promise<string[]> {
  const name = (manifest['metadata'] as { name: string }).name;
  await kube.createJob(o.namespace, manifest);
  const started = Date.now();
  while (Date.now() - started < o.timeoutMs) {
    const s = await kube.jobState(o.namespace, name);
    if (s?.succeeded) return podLogs(kube, o.namespace, name, 30);
    if (s?.failed) {
      throw new ValidateFailure(
        `Job ${name} failed`,
        `see its logs below (\`kubectl -n ${o.namespace} logs job/${name}\`), fix, and run \`make validate\` again`,
        await podLogs(kube, o.namespace, name, 40),
      );
    }
    o.onLine(`Job ${name} running (${Math.round((Date.now() - started) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
  }
  throw new ValidateFailure(
    `Job ${name} did not finish in ${Math.round(o.timeoutMs / 1000)} s`,
    `see its logs below; a larger dataset needs a longer VALIDATE_TIMEOUT_S`,
    await podLogs(kube, o.namespace, name, 40),
  );
}
