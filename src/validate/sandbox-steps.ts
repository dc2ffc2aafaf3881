/**
 * The sandbox path (VALIDATE_TARGET=sandbox): the chart's whole life on a real cluster with real pods. Runs
 * inside the sandbox's network namespace (main.ts re-executes validate there after `scripts/cluster up`):
 * install --wait, the migration hook, helm test (with its partitions figures), an upgrade with changed values, a pod of each StatefulSet
 * deleted, the NetworkPolicies probed from pods with and without the client labels, uninstall, reinstall, and
 * the chart as a parent chart uses it.
 */
import { readFile } from 'node:fs/promises';
import { checkCapacity, checkHelm } from './preflight.ts';
import { lastLogs } from './readiness.ts';
import { networkPolicyStep } from './sandbox-network.ts';
import { parentChartStep } from './sandbox-parent.ts';
import { partitionFigures } from './partitions.ts';
import { sandboxSession, tail, type SandboxDeps } from './sandbox-session.ts';
import { SANDBOX_VALUES } from './target.ts';
import { ValidateFailure, type Step } from './types.ts';

/** What a stand-in replaces on this target: the report's first line and its stand-ins section name them. */
const SANDBOX_NOT_EXERCISED = [
  'ScyllaDB itself (the ScyllaDB pod is an Apache Cassandra 5 stand-in image; the CLI ran with the cassandra dialect)',
  "the ScyllaDB CDC Source Connector (its jar cannot be fetched here; Connect runs as a pod without it, and the CDC leg is fed by the CLI's CDC stand-in)",
];

const SANDBOX_STANDINS = [
  'ScyllaDB pod: image scylladb/scylla:<chart tag> built from Apache Cassandra 5 (label dev.agentstore.sandbox.standin=true), ScyllaDB flags accepted, its probe endpoints served',
  "CDC leg: the CLI's CDC stand-in (cdc-probe --cdc-standin) publishes each write to Kafka as the connector would; Connect runs without the connector",
  "Redis: Debian bookworm's redis-server 7.0 under the chart's redis tag (not a stand-in for Redis, another version)",
];
export function sandboxSteps(d: SandboxDeps): Step[] {
  const s = sandboxSession(d);
  const { k, ns, rel, helm, deploy, kubectl, data, takeSnapshot, compare, generatedSecrets } = s;
  let helmTestLog: string[] = [];
  return [
    {
      name: 'preflight',
      async run(ctx) {
        ctx.notExercised.push(...SANDBOX_NOT_EXERCISED);
        if (d.upReport) {
          const up = JSON.parse(await readFile(d.upReport, 'utf8').catch(() => '[]')) as {
            phase: string;
            seconds: number;
            detail: string;
          }[];
          ctx.sections.push({
            title: 'sandbox cluster up (scripts/cluster), phase times',
            lines: up.map((p) => `${p.phase.padEnd(32)} ${p.seconds.toFixed(1).padStart(7)} s  ${p.detail}`),
          });
          ctx.data['clusterUp'] = up;
        }
        const images = await d.host.exec(d.kubectl, [
          'get',
          'node',
          '-o',
          'jsonpath={range .items[0].status.images[*]}{.names[0]}{"\\n"}{end}',
        ]);
        const refs = images.stdout.split('\n').filter(Boolean).sort();
        ctx.data['images'] = refs;
        ctx.data['standins'] = SANDBOX_STANDINS;
        ctx.sections.push({
          title: 'images on the node (every one built here by scripts/cluster/images, none pulled)',
          lines: refs.map(
            (r) =>
              `${r}${r.includes('/scylladb/scylla:') ? '  <- STAND-IN: Apache Cassandra 5 serving the ScyllaDB pod' : ''}`,
          ),
        });
        ctx.sections.push({ title: 'stand-ins', lines: SANDBOX_STANDINS });
        return [await checkHelm(d.helm), `Kubernetes ${await k().serverVersion()}`, await checkCapacity(k())].join(
          '; ',
        );
      },
    },
    {
      name: 'install',
      async run(ctx, line) {
        ctx.data['releaseTouched'] = true;
        const ready = await deploy(
          ['upgrade', '--install', rel, 'charts/agentstore', '--create-namespace', '--values', SANDBOX_VALUES],
          line,
          'helm upgrade --install',
        );
        return `release ${rel} in ${ns} (${SANDBOX_VALUES}): every pod Running and Ready: ${ready}`;
      },
    },
    {
      name: 'migrate',
      async run() {
        return "by the chart's post-install hook Job against the in-cluster CQL server (helm waited for it; helm test's status step checks the schema version)";
      },
    },
    {
      name: 'helm test',
      async run(ctx, line) {
        const r = await d.helm.run(['test', rel, '--namespace', ns, '--logs', '--timeout', '10m'], line);
        helmTestLog = r.stdout.split('\n');
        ctx.sections.push({ title: 'helm test', lines: tail(r.stdout + r.stderr, 60) });
        if (r.code !== 0 || !r.stdout.includes('RESULT: PASS')) {
          throw new ValidateFailure(
            `helm test failed (exit ${r.code})`,
            `the test pod's log is below and in the report`,
            tail(r.stdout + r.stderr, 40),
          );
        }
        const cdc = r.stdout.split('\n').find((l) => l.startsWith('CDC path ok:'));
        return `RESULT: PASS (seed + verify in a test keyspace, CDC probe through Kafka and the projector into Redis${cdc ? `: ${cdc.slice(13)}` : ''})`;
      },
    },
    {
      // The test pod ran `partitions` on its test keyspace after verify: its figures, as the local path's step.
      name: 'partitions',
      async run(ctx) {
        const { table, summary } = partitionFigures(helmTestLog, `helm test's partitions step`);
        ctx.sections.push({ title: 'partitions (helm test, test keyspace)', lines: table });
        return summary;
      },
    },
    {
      name: 'upgrade',
      async run(ctx, line) {
        data(ctx).before = await takeSnapshot();
        // Changed values that roll every workload (resources, annotations): no immutable field may change with them.
        await deploy(
          [
            'upgrade',
            rel,
            'charts/agentstore',
            '--values',
            SANDBOX_VALUES,
            '--set',
            'scylladb.podAnnotations.agentstore\\.io/validate=upgraded',
            '--set',
            'kafka.podAnnotations.agentstore\\.io/validate=upgraded',
            '--set',
            'redis.podAnnotations.agentstore\\.io/validate=upgraded',
            '--set',
            'connect.podAnnotations.agentstore\\.io/validate=upgraded',
            '--set',
            'projector.podAnnotations.agentstore\\.io/validate=upgraded',
            '--set',
            'redis.resources.requests.cpu=60m',
          ],
          line,
          'helm upgrade with changed values',
        );
        return `helm upgrade with changed values rolled every pod; ${await compare(ctx, 'the upgrade')}`;
      },
    },
    {
      name: 'restart StatefulSet pods',
      async run(ctx, line) {
        const out: string[] = [];
        for (const name of ['scylladb', 'kafka', 'redis']) {
          const pod = (await k().listPods(ns, `app.kubernetes.io/name=${name},app.kubernetes.io/instance=${rel}`))[0];
          if (!pod) throw new ValidateFailure(`no ${name} pod`, 'see `kubectl get pods`');
          line(`deleting ${pod.name}`);
          await k().deletePod(ns, pod.name);
          const deadline = Date.now() + d.timeoutMs;
          for (;;) {
            const now = (await k().listPods(ns, `app.kubernetes.io/name=${name},app.kubernetes.io/instance=${rel}`))[0];
            if (now?.ready && now.ip && now.ip !== pod.ip) break;
            if (Date.now() > deadline) {
              throw new ValidateFailure(
                `${pod.name} not Ready again after deletion`,
                'see its events and log below',
                now ? await lastLogs(k(), ns, now) : [],
              );
            }
            await new Promise((r) => setTimeout(r, 2000));
          }
          out.push(pod.name);
        }
        return `${out.join(', ')} deleted and back; ${await compare(ctx, 'the restarts')}`;
      },
    },
    networkPolicyStep(s),
    {
      name: 'uninstall',
      async run(ctx, line) {
        data(ctx).secrets = await generatedSecrets();
        await helm(['uninstall', rel, '--wait', '--timeout', '5m'], line, 'helm uninstall');
        // --wait covers the release's own objects; their pods terminate after them (ScyllaDB drains for a while).
        const listLeft = async () =>
          (await kubectl(['get', 'all,configmap,secret,pvc,networkpolicy,poddisruptionbudget,job', '-o', 'name']))
            .split('\n')
            .filter((l) => l && !l.endsWith('/kube-root-ca.crt'))
            .sort();
        let left = await listLeft();
        for (const end = Date.now() + 180_000; Date.now() < end; left = await listLeft()) {
          const terminating = left.filter((l) => l.startsWith('pod/') && l !== `pod/${rel}-test`);
          if (terminating.length === 0) break;
          line(`waiting for ${terminating.join(', ')} to terminate`);
          await new Promise((r) => setTimeout(r, 3000));
        }
        ctx.sections.push({ title: 'left in the namespace after helm uninstall', lines: left });
        // What the README ("Upgrades") says uninstall leaves: the StatefulSets' PVCs, the kept Kafka cluster id and
        // Redis password, and the last helm test pod (Helm does not track test hooks).
        const expected = [
          /^persistentvolumeclaim\/data-agentstore-(scylladb|kafka|redis)-0$/,
          /^configmap\/agentstore-kafka-cluster-id$/,
          /^secret\/agentstore-redis-auth$/,
          new RegExp(`^pod/${rel}-test$`),
        ];
        const unexpected = left.filter((l) => !expected.some((e) => e.test(l)));
        const missing = expected.filter((e) => !left.some((l) => e.test(l))).map(String);
        if (unexpected.length || missing.length) {
          throw new ValidateFailure(
            'helm uninstall left something other than the README says',
            'compare the lists below with the README ("Upgrades")',
            [...unexpected.map((u) => `unexpected: ${u}`), ...missing.map((m) => `missing: ${m}`)],
          );
        }
        return `left exactly what the README says (3 PVCs, the Kafka cluster-id ConfigMap, the Redis auth Secret, the last test pod): ${left.join(', ')}`;
      },
    },
    {
      name: 'reinstall',
      async run(ctx, line) {
        await deploy(['install', rel, 'charts/agentstore', '--values', SANDBOX_VALUES], line, 'helm install (again)');
        const before = data(ctx).secrets ?? {};
        const after = await generatedSecrets();
        const changed = Object.keys(before).filter((n) => after[n] !== undefined && after[n] !== before[n]);
        if (changed.length) {
          throw new ValidateFailure(
            `reinstall generated new values for ${changed.join(', ')}`,
            'the chart must find the old Secret (lookup) or keep it (resource-policy)',
            changed,
          );
        }
        return `${await compare(ctx, 'uninstall + reinstall')}; secrets kept: ${Object.keys(after).join(', ') || 'none'}`;
      },
    },
    parentChartStep(s),
  ];
}
