/**
 * The sandbox path (VALIDATE_TARGET=sandbox): the chart's whole life on a real cluster with real pods. Runs
 * inside the sandbox's network namespace (main.ts re-executes validate there after `scripts/cluster up`):
 * install --wait, the migration hook, helm test, an upgrade with changed values, a pod of each StatefulSet
 * deleted, the NetworkPolicies probed from pods with and without the client labels, uninstall, reinstall.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Helm, Host, Kube } from './kube.ts';
import { checkCapacity, checkHelm } from './preflight.ts';
import { lastLogs, waitReady } from './readiness.ts';
import { describeData, sameData, snapshot, type DataSnapshot } from './sandbox-data.ts';
import { SANDBOX_VALUES } from './target.ts';
import { ValidateFailure, type Step, type StepContext } from './types.ts';

export const SANDBOX_RELEASE = 'agentstore';
export const SANDBOX_NAMESPACE = 'agentstore';

export interface SandboxDeps {
  kube: () => Kube;
  helm: Helm;
  host: Host;
  kubectl: string;
  /** JSON phase times of the `scripts/cluster up` that preceded this run. */
  upReport?: string;
  timeoutMs: number;
}

const tail = (s: string, n: number): string[] => s.trimEnd().split('\n').slice(-n);
const KEYSPACES = ['agentstore', 'agentstore_helm_test'];
/** 44 characters: long release names once made the subcharts' names collide. */
export const PARENT_RELEASE = 'payments-platform-production-euwest1-datalyr';

/** What a stand-in replaces on this target: the report's first line and its stand-ins section name them. */
export const SANDBOX_NOT_EXERCISED = [
  'ScyllaDB itself (the ScyllaDB pod is an Apache Cassandra 5 stand-in image; the CLI ran with the cassandra dialect)',
  "the ScyllaDB CDC Source Connector (its jar cannot be fetched here; Connect runs as a pod without it, and the CDC leg is fed by the CLI's CDC stand-in)",
];

export const SANDBOX_STANDINS = [
  'ScyllaDB pod: image scylladb/scylla:<chart tag> built from Apache Cassandra 5 (label dev.agentstore.sandbox.standin=true), ScyllaDB flags accepted, its probe endpoints served',
  "CDC leg: the CLI's CDC stand-in (cdc-probe --cdc-standin) publishes each write to Kafka as the connector would; Connect runs without the connector",
  "Redis: Debian bookworm's redis-server 7.0 under the chart's redis tag (not a stand-in for Redis, another version)",
];

export function sandboxSteps(d: SandboxDeps): Step[] {
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
      name: 'upgrade',
      async run(ctx, line) {
        data(ctx).before = await snapshot(k(), d.host, dataOptions);
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
    {
      name: 'NetworkPolicies',
      async run(ctx, line) {
        const image = (
          await kubectl([
            'get',
            'deploy',
            '-l',
            'app.kubernetes.io/component=projector',
            '-o',
            'jsonpath={.items[0].spec.template.spec.containers[0].image}',
          ])
        ).trim();
        const targets = {
          cql: `${rel}-scylladb-client:9042`,
          redis: `${rel}-redis:6379`,
          kafka: `${rel}-kafka:9092`,
        };
        // Each probe pod resolves the Service names (DNS under the egress policies) and opens a TCP connection to each.
        // Each probe pod resolves the Service names (DNS under the egress policies) and connects to each, retrying for
        // up to 30 s: the policy controller admits a new pod's address a moment after the pod starts.
        const script = `const net=require('net'),dns=require('dns').promises;const t=${JSON.stringify(targets)};
const once=(ip,p)=>new Promise(r=>{const s=net.connect(+p,ip);const d=v=>{s.destroy();r(v)};s.setTimeout(3000,()=>d('timeout'));s.on('connect',()=>d('open'));s.on('error',e=>d(e.code))});
const probe=async a=>{const[h,p]=a.split(':');let ip;try{ip=(await dns.lookup(h)).address}catch(e){return 'dns:'+e.code}
let v;for(const end=Date.now()+30000;Date.now()<end;await new Promise(r=>setTimeout(r,1000))){v=await once(ip,p);if(v==='open')break}return v};
Promise.all(Object.entries(t).map(async([k,a])=>[k,await probe(a)])).then(e=>console.log('RESULT '+JSON.stringify(Object.fromEntries(e))))`;
        const pods = {
          'np-probe-unlabelled': { 'app.kubernetes.io/instance': rel },
          'np-probe-client': {
            'app.kubernetes.io/instance': rel,
            'agentstore.io/jobs': 'true',
            'agentstore.io/scylladb-client': 'true',
            'agentstore.io/redis-client': 'true',
            'agentstore.io/kafka-client': 'true',
          },
        };
        const results: Record<string, Record<string, string>> = {};
        for (const [name, labels] of Object.entries(pods)) {
          await d.host.exec(d.kubectl, ['-n', ns, 'delete', 'pod', name, '--ignore-not-found', '--wait=true']);
          const manifest = {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, namespace: ns, labels },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              securityContext: { runAsUser: 1000, runAsNonRoot: true },
              containers: [{ name: 'probe', image, imagePullPolicy: 'IfNotPresent', command: ['node', '-e', script] }],
            },
          };
          await k().createPod(ns, manifest);
          line(`${name} started`);
          const deadline = Date.now() + 120_000;
          let phase = '';
          while (Date.now() < deadline) {
            phase = (await k().listPods(ns)).find((p) => p.name === name)?.phase ?? '';
            if (phase === 'Succeeded' || phase === 'Failed') break;
            await new Promise((r) => setTimeout(r, 2000));
          }
          const log = await k()
            .logs(ns, name, 'probe', 20)
            .catch((e: Error) => e.message);
          const m = /RESULT (\{.*\})/.exec(log);
          if (!m)
            throw new ValidateFailure(
              `${name} printed no result (phase ${phase})`,
              'see its log below',
              log.split('\n'),
            );
          results[name] = JSON.parse(m[1]!) as Record<string, string>;
          await d.host.exec(d.kubectl, ['-n', ns, 'delete', 'pod', name, '--wait=false']);
        }
        const lines = Object.entries(results).map(
          ([p, r]) =>
            `${p}: ${Object.entries(r)
              .map(([k2, v]) => `${k2} ${v}`)
              .join(', ')}`,
        );
        ctx.sections.push({ title: 'NetworkPolicy probes', lines });
        const client = results['np-probe-client']!;
        const other = results['np-probe-unlabelled']!;
        const wrong = [
          ...Object.entries(client)
            .filter(([, v]) => v !== 'open')
            .map(([t, v]) => `labelled client could not reach ${t} (${v})`),
          ...Object.entries(other)
            .filter(([, v]) => v === 'open' || v.startsWith('dns:'))
            .map(([t, v]) => `pod without the client labels ${v === 'open' ? 'reached' : 'could not resolve'} ${t}`),
        ];
        if (wrong.length)
          throw new ValidateFailure(
            'the NetworkPolicies did not behave as the chart says',
            'see the probe results below',
            [...wrong, ...lines],
          );
        return `enforced: the pod without client labels resolved every name but was refused by CQL, Redis and Kafka (${Object.values(other).join(', ')}); the labelled client (under the Jobs' egress policies) reached all three; every component's probes pass`;
      },
    },
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
    {
      name: 'parent chart, long name, second release',
      async run(ctx, line) {
        // The patterns parents use: a condition, a global the subchart does not know, an alias; a release name of
        // 40+ characters; installed next to the first release in the same namespace.
        const dir = await mkdtemp(join(tmpdir(), 'agentstore-parent-'));
        const parent = join(dir, 'parent');
        await cp('test/fixtures/parent-chart', parent, { recursive: true, dereference: true });
        const chart = (await readFile(join(parent, 'Chart.yaml'), 'utf8')).replace(
          'repository: file://../../../charts/agentstore',
          `repository: file://${join(process.cwd(), 'charts/agentstore')}\n    condition: datalayer.enabled`,
        );
        await writeFile(join(parent, 'Chart.yaml'), chart);
        const sandbox = parse(await readFile(SANDBOX_VALUES, 'utf8')) as Record<string, unknown> & {
          global?: Record<string, unknown>;
        };
        const { global, ...own } = sandbox;
        const values = { global: { ...global, storageClass: 'local-path' }, datalayer: { enabled: true, ...own } };
        await writeFile(join(dir, 'values.yaml'), stringify(values));
        const dep = await d.helm.run(['dependency', 'build', parent], line);
        if (dep.code !== 0)
          throw new ValidateFailure(
            'helm dependency build of the parent chart failed',
            'see below',
            tail(dep.stderr, 10),
          );
        const name = PARENT_RELEASE;
        ctx.data['parentRelease'] = name;
        const ready = await deploy(
          ['install', name, parent, '--values', join(dir, 'values.yaml')],
          line,
          `helm install ${name} (parent chart)`,
        );
        const test = await d.helm.run(['test', name, '--namespace', ns, '--logs', '--timeout', '10m'], line);
        ctx.sections.push({ title: `helm test ${name}`, lines: tail(test.stdout + test.stderr, 30) });
        if (test.code !== 0 || !test.stdout.includes('RESULT: PASS')) {
          throw new ValidateFailure(
            `helm test of the parent release ${name} failed`,
            'see its log in the report',
            tail(test.stdout + test.stderr, 30),
          );
        }
        await helm(['uninstall', name, '--wait', '--timeout', '5m'], line, `helm uninstall ${name}`);
        await d.host.exec(d.kubectl, [
          '-n',
          ns,
          'delete',
          'pvc',
          '-l',
          `app.kubernetes.io/instance=${name}`,
          '--wait=false',
        ]);
        await rm(dir, { recursive: true, force: true });
        return `parent chart (alias datalayer, condition datalayer.enabled, foreign global.storageClass) as release ${name} (${name.length} characters) next to ${rel} in ${ns}: installed (${ready}), helm test passed, uninstalled`;
      },
    },
  ];
}
