/**
 * The NetworkPolicies probed from inside the cluster: a pod without the client labels must resolve every Service
 * name yet be refused by CQL, Redis and Kafka; a pod with them (under the Jobs' egress policies) must reach all three.
 */
import type { SandboxSession } from './sandbox-session.ts';
import { ValidateFailure, type Step } from './types.ts';

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
      const targets = {
        cql: `${rel}-scylladb-client:9042`,
        redis: `${rel}-redis:6379`,
        kafka: `${rel}-kafka:9092`,
      };
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
          throw new ValidateFailure(`${name} printed no result (phase ${phase})`, 'see its log below', log.split('\n'));
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
  };
}
