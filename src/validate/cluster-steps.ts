/**
 * The steps on a cluster (an existing context, or kind): preflight, `helm upgrade --install` with
 * live per-component readiness and the connector's state, seed, verify, partitions and the CDC probe through
 * the cdk8s Jobs, and `helm test` with its report. Helm runs through the Helm interface, everything else through Kube.
 */
import { defaultConfig } from '../k8s/config.ts';
import { chartServices, parseManifest } from '../k8s/chart.ts';
import { jobManifests } from '../k8s/jobs.ts';
import { checkConnector, type Fetch } from './connector.ts';
import { runJob } from './jobs.ts';
import { partitionFigures } from './partitions.ts';
import type { Helm, Host, Kube } from './kube.ts';
import { checkCapacity, checkHelm, ensureKindCluster } from './preflight.ts';
import { lastLogs, waitReady } from './readiness.ts';
import { ValidateFailure, type Step, type Target } from './types.ts';

const RELEASE = 'agentstore';
const NAMESPACE = 'agentstore';

export interface ClusterDeps {
  target: Target;
  kube: () => Kube;
  helm: Helm;
  host: Host;
  sessions: number;
  timeouts: { readyMs: number; connectorMs: number; jobMs: number; pollMs?: number };
  fetch?: Fetch;
}

const tail = (s: string, n: number): string[] => s.trimEnd().split('\n').slice(-n);

export function clusterSteps(d: ClusterDeps): Step[] {
  let kube: Kube | undefined;
  const k = (): Kube => (kube ??= d.kube());
  // A keyspace of its own: the cluster may be the user's, and its agentstore keyspace their data.
  const config = defaultConfig({
    release: RELEASE,
    namespace: NAMESPACE,
    keyspace: 'agentstore_validate',
    valuesFiles: [d.target.valuesFile ?? 'values/kind.yaml'],
  });
  config.dataset = { ...config.dataset, sessions: String(d.sessions) };
  // The Jobs reach the release's Services by the names the installed release gave them.
  let built: ReturnType<typeof jobManifests> | undefined;
  const jobs = async () => {
    if (built) return built;
    const context = d.target.context ? ['--kube-context', d.target.context] : [];
    const r = await d.helm.run(['get', 'manifest', RELEASE, '--namespace', NAMESPACE, ...context]);
    if (r.code !== 0) {
      throw new ValidateFailure(
        `helm get manifest ${RELEASE} failed (exit ${r.code})`,
        `check the release with \`helm -n ${NAMESPACE} status ${RELEASE}\``,
        tail(r.stderr || r.stdout, 20),
      );
    }
    return (built = jobManifests(config, chartServices(parseManifest(r.stdout))));
  };
  const jobOptions = (onLine: (line: string) => void) => ({
    namespace: NAMESPACE,
    timeoutMs: d.timeouts.jobMs,
    onLine,
    ...(d.timeouts.pollMs !== undefined ? { pollMs: d.timeouts.pollMs } : {}),
  });
  return [
    {
      name: 'preflight',
      async run(_ctx, line) {
        const parts = [await checkHelm(d.helm)];
        if (d.target.kind === 'kind') parts.push(await ensureKindCluster(d.host, line));
        parts.push(`Kubernetes ${await k().serverVersion()}`, await checkCapacity(k()));
        return parts.join('; ');
      },
    },
    {
      name: 'install',
      async run(ctx, line) {
        // From here on a failure may leave a release behind: the orchestrator says so.
        ctx.data['releaseTouched'] = true;
        const abort = new AbortController();
        const helmDone = d.helm.run(
          [
            'upgrade',
            '--install',
            RELEASE,
            'charts/agentstore',
            '--namespace',
            NAMESPACE,
            '--create-namespace',
            '--values',
            config.valuesFiles[0]!,
            '--timeout',
            '15m',
            '--wait',
            ...(d.target.context ? ['--kube-context', d.target.context] : []),
          ],
          undefined,
          abort.signal,
        );
        const helmFailed = helmDone.then((r) => (r.code !== 0 ? r : new Promise<never>(() => {})));
        const ready = await waitReady(k(), NAMESPACE, {
          timeoutMs: d.timeouts.readyMs,
          onLine: line,
          abort: helmFailed,
        }).catch((err: unknown) => {
          abort.abort(); // our deadline passed first: stop helm rather than leave it running unseen
          throw err;
        });
        const r = await helmDone;
        if (r.code !== 0) {
          // A failed hook (migration, connector registration) is a failed pod: show its logs with helm's message.
          const failing = (
            await k()
              .listPods(NAMESPACE)
              .catch(() => [])
          ).filter((p) => p.phase === 'Failed' || (!p.ready && p.phase !== 'Succeeded'));
          const logs: string[] = [];
          for (const p of failing) logs.push(...(await lastLogs(k(), NAMESPACE, p)));
          throw new ValidateFailure(
            `helm upgrade --install failed (exit ${r.code})`,
            `read helm's message below and \`helm -n ${NAMESPACE} status ${RELEASE}\`; fix, then run \`make validate\` again`,
            [...tail(r.stderr || r.stdout, 20), ...logs],
          );
        }
        const connector = await checkConnector(k(), {
          namespace: NAMESPACE,
          name: 'agentstore-scylla-cdc',
          timeoutMs: d.timeouts.connectorMs,
          onLine: line,
          ...(d.timeouts.pollMs !== undefined ? { pollMs: d.timeouts.pollMs } : {}),
          ...(d.fetch ? { fetch: d.fetch } : {}),
        });
        return `release ${RELEASE} in ${NAMESPACE} (${config.valuesFiles[0]}); ${ready}; ${connector}`;
      },
    },
    {
      name: 'migrate',
      async run() {
        // The chart's post-install hook runs `migrate`; helm --wait returned only after it succeeded.
        return "by the chart's post-install hook Job (agentstore-migrate), which helm waited for";
      },
    },
    ...(['seed', 'verify'] as const).map((name): Step => ({
      name: name === 'seed' ? 'seed' : 'verify queries',
      async run(ctx, line) {
        const logs = await runJob(k(), (await jobs())[name]!, jobOptions(line));
        ctx.sections.push({ title: `${name} Job output`, lines: logs });
        return logs.filter((l) => l.trim() && !l.startsWith('---')).at(-1) ?? 'done';
      },
    })),
    {
      // Every table's largest partition in the seeded keyspace, as the local path's partitions step.
      name: 'partitions',
      async run(ctx, line) {
        const logs = await runJob(k(), (await jobs())['partitions']!, jobOptions(line));
        const { table, summary } = partitionFigures(logs, `Job ${RELEASE}-partitions`);
        ctx.sections.push({ title: 'partitions Job output', lines: table });
        return summary;
      },
    },
    {
      name: 'verify CDC',
      async run(ctx, line) {
        // Writes to the captured keyspace; visible in Redis only through ScyllaDB CDC, the connector, Kafka and the projector.
        const logs = await runJob(k(), (await jobs())['cdc-probe']!, jobOptions(line));
        ctx.sections.push({ title: 'cdc-probe Job output', lines: logs });
        const ok = logs.find((l) => l.startsWith('CDC path ok:'));
        if (!ok) {
          throw new ValidateFailure(
            'the cdc-probe Job succeeded but printed no "CDC path ok" line',
            `read its output below (\`kubectl -n ${NAMESPACE} logs job/${RELEASE}-cdc-probe\`)`,
            logs,
          );
        }
        return ok.slice('CDC path ok: '.length);
      },
    },
    {
      name: 'helm test',
      async run(ctx, line) {
        const r = await d.helm.run(
          [
            'test',
            RELEASE,
            '--namespace',
            NAMESPACE,
            '--logs',
            '--timeout',
            '10m',
            ...(d.target.context ? ['--kube-context', d.target.context] : []),
          ],
          line,
        );
        ctx.sections.push({ title: 'helm test', lines: tail(r.stdout + r.stderr, 60) });
        if (r.code !== 0) {
          throw new ValidateFailure(
            `helm test failed (exit ${r.code})`,
            `the test pod's logs are below and in the report; \`kubectl -n ${NAMESPACE} logs ${RELEASE}-test\``,
            tail(r.stdout + r.stderr, 40),
          );
        }
        return tail(r.stdout, 1)[0] ?? 'passed';
      },
    },
  ];
}
