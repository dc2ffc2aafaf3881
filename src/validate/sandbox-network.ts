/**
 * The NetworkPolicies probed from inside the cluster: a pod without the client labels must resolve every Service
 * name yet be refused by CQL, Redis and Kafka; a pod with them (under the Jobs' egress policies) and an application
 * pod in another namespace, admitted by the per-component ingress knobs, must reach all three.
 */
import type { Host } from './kube.ts';
import type { SandboxSession } from './sandbox-session.ts';
import { SANDBOX_VALUES } from './target.ts';
import { ValidateFailure, type Step } from './types.ts';

/** The application's namespace: values/sandbox.yaml admits its `app: web` pods by these labels. */
const APP_NAMESPACE = 'agentstore-app';
const APP_NAMESPACE_LABEL = 'agentstore.io/sandbox-app';

interface Probe {
  name: string;
  what: string;
  namespace?: string;
  labels: Record<string, string>;
  admitted: boolean;
}

const PROBES = (rel: string): Probe[] => [
  {
    name: 'np-probe-unlabelled',
    what: 'a pod without the client labels',
    labels: { 'app.kubernetes.io/instance': rel },
    admitted: false,
  },
  {
    name: 'np-probe-client',
    what: 'the labelled client',
    labels: {
      'app.kubernetes.io/instance': rel,
      'agentstore.io/jobs': 'true',
      'agentstore.io/scylladb-client': 'true',
      'agentstore.io/redis-client': 'true',
      'agentstore.io/kafka-client': 'true',
    },
    admitted: true,
  },
  {
    name: 'np-probe-app',
    what: 'the application pod',
    namespace: APP_NAMESPACE,
    labels: { app: 'web' },
    admitted: true,
  },
];

async function ensureAppNamespace(host: Host, kubectl: string): Promise<void> {
  await host.exec(kubectl, ['create', 'namespace', APP_NAMESPACE]); // exists on a rerun: the label below still applies
  const r = await host.exec(kubectl, [
    'label',
    '--overwrite',
    'namespace',
    APP_NAMESPACE,
    `${APP_NAMESPACE_LABEL}=true`,
  ]);
  if (r.code !== 0)
    throw new ValidateFailure(`could not label namespace ${APP_NAMESPACE}`, 'see the message below', [r.stderr]);
}

export function networkPolicyStep(s: SandboxSession): Step {
  const { d, k, ns, rel, kubectl } = s;
  return {
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
      // Names qualified with the namespace: the application's probe runs in another one.
      const targets = {
        cql: `${rel}-scylladb-client.${ns}:9042`,
        redis: `${rel}-redis.${ns}:6379`,
        kafka: `${rel}-kafka.${ns}:9092`,
      };
      // Each probe pod resolves the Service names (DNS under the egress policies) and connects to each, retrying for
      // up to 30 s: the policy controller admits a new pod's address a moment after the pod starts.
      const script = `const net=require('net'),dns=require('dns').promises;const t=${JSON.stringify(targets)};
const once=(ip,p)=>new Promise(r=>{const s=net.connect(+p,ip);const d=v=>{s.destroy();r(v)};s.setTimeout(3000,()=>d('timeout'));s.on('connect',()=>d('open'));s.on('error',e=>d(e.code))});
const probe=async a=>{const[h,p]=a.split(':');let ip;try{ip=(await dns.lookup(h)).address}catch(e){return 'dns:'+e.code}
let v;for(const end=Date.now()+30000;Date.now()<end;await new Promise(r=>setTimeout(r,1000))){v=await once(ip,p);if(v==='open')break}return v};
Promise.all(Object.entries(t).map(async([k,a])=>[k,await probe(a)])).then(e=>console.log('RESULT '+JSON.stringify(Object.fromEntries(e))))`;
      await ensureAppNamespace(d.host, d.kubectl);
      const results: Record<string, Record<string, string>> = {};
      for (const probe of PROBES(rel)) {
        const pns = probe.namespace ?? ns;
        await d.host.exec(d.kubectl, ['-n', pns, 'delete', 'pod', probe.name, '--ignore-not-found', '--wait=true']);
        const manifest = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: probe.name, namespace: pns, labels: probe.labels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: { runAsUser: 1000, runAsNonRoot: true },
            containers: [{ name: 'probe', image, imagePullPolicy: 'IfNotPresent', command: ['node', '-e', script] }],
          },
        };
        await k().createPod(pns, manifest);
        line(`${probe.name} started in ${pns}`);
        const deadline = Date.now() + 120_000;
        let phase = '';
        while (Date.now() < deadline) {
          phase = (await k().listPods(pns)).find((p) => p.name === probe.name)?.phase ?? '';
          if (phase === 'Succeeded' || phase === 'Failed') break;
          await new Promise((r) => setTimeout(r, 2000));
        }
        const log = await k()
          .logs(pns, probe.name, 'probe', 20)
          .catch((e: Error) => e.message);
        const m = /RESULT (\{.*\})/.exec(log);
        if (!m)
          throw new ValidateFailure(
            `${probe.name} printed no result (phase ${phase})`,
            'see its log below',
            log.split('\n'),
          );
        results[probe.name] = JSON.parse(m[1]!) as Record<string, string>;
        await d.host.exec(d.kubectl, ['-n', pns, 'delete', 'pod', probe.name, '--wait=false']);
      }
      const lines = Object.entries(results).map(
        ([p, r]) =>
          `${p}: ${Object.entries(r)
            .map(([k2, v]) => `${k2} ${v}`)
            .join(', ')}`,
      );
      ctx.sections.push({ title: 'NetworkPolicy probes', lines });
      const wrong = PROBES(rel).flatMap((probe) =>
        Object.entries(results[probe.name]!).flatMap(([t, v]) => {
          if (v.startsWith('dns:')) return [`${probe.what} could not resolve ${t} (${v})`];
          if (probe.admitted && v !== 'open') return [`${probe.what} could not reach ${t} (${v})`];
          if (!probe.admitted && v === 'open') return [`${probe.what} reached ${t}`];
          return [];
        }),
      );
      if (wrong.length)
        throw new ValidateFailure(
          'the NetworkPolicies did not behave as the chart says',
          'see the probe results below',
          [...wrong, ...lines],
        );
      const refused = Object.values(results['np-probe-unlabelled']!).join(', ');
      return `enforced: the pod without client labels resolved every name but was refused by CQL, Redis and Kafka (${refused}); the labelled client (under the Jobs' egress policies) and an application pod in namespace ${APP_NAMESPACE} (admitted by ingressNSMatchLabels/ingressNSPodMatchLabels in ${SANDBOX_VALUES}, no client labels) reached all three; every component's probes pass`;
    },
  };
}
