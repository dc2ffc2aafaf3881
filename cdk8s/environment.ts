/**
 * The namespace environment for kind/k3s: Pod Security "baseline" enforced and "restricted" warned
 * and audited (ScyllaDB's image must run as root: its entrypoint writes /etc/scylla.d; every other
 * pod, our Jobs included, meets "restricted"), default-deny NetworkPolicies
 * with the few allowances every pod needs, a ResourceQuota (with a LimitRange for default requests) sized for the stack on one node.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import type { StackConfig } from '../src/k8s/config.ts';

/** What the whole stack (values/kind.yaml) may request in the namespace, with room for the Jobs. */
export const QUOTA = {
  'requests.cpu': '4',
  'requests.memory': '8Gi',
  persistentvolumeclaims: '10',
  'requests.storage': '30Gi',
  pods: '40',
};
/** A quota on requests rejects pods without requests: the LimitRange gives those a default instead. */
const DEFAULT_REQUEST = { cpu: '50m', memory: '64Mi' };

export function addEnvironment(scope: Construct, c: StackConfig): void {
  const ns = new kplus.Namespace(scope, 'namespace', {
    metadata: {
      name: c.namespace,
      labels: {
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  });
  const meta = (name: string) => ({
    name,
    namespace: c.namespace,
    labels: { 'app.kubernetes.io/part-of': 'agentstore', 'app.kubernetes.io/managed-by': 'cdk8s' },
  });
  const all = kplus.Pods.all(scope, 'all-pods', {
    namespaces: kplus.Namespaces.select(scope, 'this-ns', { names: [c.namespace] }),
  });

  // Default deny: nothing in or out unless a policy (ours below, or the chart's per component) admits it.
  new kplus.NetworkPolicy(scope, 'default-deny', {
    metadata: meta('default-deny'),
    selector: kplus.Pods.all(scope, 'deny-selector'),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  // Every pod resolves names: DNS to any namespace (kube-dns / CoreDNS lives in kube-system).
  const dns = new kplus.NetworkPolicy(scope, 'allow-dns', {
    metadata: meta('allow-dns'),
    selector: kplus.Pods.all(scope, 'dns-selector'),
  });
  dns.addEgressRule(kplus.Namespaces.all(scope, 'any-ns'), [
    kplus.NetworkPolicyPort.udp(53),
    kplus.NetworkPolicyPort.tcp(53),
  ]);
  // Pods of the release talk to each other (the chart narrows this per component); nothing from other namespaces.
  const internal = new kplus.NetworkPolicy(scope, 'allow-same-namespace', {
    metadata: meta('allow-same-namespace'),
    selector: kplus.Pods.all(scope, 'ns-selector'),
  });
  internal.addIngressRule(all);
  internal.addEgressRule(all);

  new ApiObject(scope, 'quota', {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: meta('agentstore'),
    spec: { hard: QUOTA },
  });
  new ApiObject(scope, 'limits', {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta('agentstore-defaults'),
    spec: { limits: [{ type: 'Container', defaultRequest: DEFAULT_REQUEST }] },
  });
  void ns;
}
