/**
 * Whether rendered NetworkPolicies admit a connection, by the rules of networking.k8s.io/v1 for
 * ingress: a pod no Ingress policy selects admits everything; otherwise some rule of a policy that
 * selects it must match the source (no `from` = any source; a podSelector alone = pods of the
 * policy's namespace; a namespaceSelector = pods of matching namespaces, narrowed by a podSelector in
 * the same peer) and the port (no `ports` = any). Only matchLabels selectors are understood; anything
 * else (matchExpressions, ipBlock, named ports) throws rather than guess.
 */
import type { K8sObject } from './render.ts';

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: unknown[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}
interface Rule {
  from?: Peer[];
  ports?: { port?: number | string; protocol?: string }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: string[];
  ingress?: Rule[];
}

export interface Endpoint {
  namespace: string;
  labels: Labels;
  /** Labels of the pod's namespace; kubernetes.io/metadata.name is always added. */
  namespaceLabels?: Labels;
}

function matches(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  if (selector.matchExpressions?.length) throw new Error('netpol: matchExpressions are not understood');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function peerMatches(peer: Peer, policyNamespace: string, from: Endpoint): boolean {
  if (peer.ipBlock) throw new Error('netpol: ipBlock is not understood');
  const nsLabels = { ...from.namespaceLabels, 'kubernetes.io/metadata.name': from.namespace };
  if (peer.namespaceSelector)
    return matches(peer.namespaceSelector, nsLabels) && matches(peer.podSelector, from.labels);
  return from.namespace === policyNamespace && matches(peer.podSelector, from.labels);
}

function portMatches(rule: Rule, port: number): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p) => {
    if (typeof p.port === 'string') throw new Error('netpol: named ports are not understood');
    return (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port);
  });
}

/** Does a TCP connection from `from` to `to`:`port` get through the policies' ingress rules? */
export function admits(objects: K8sObject[], from: Endpoint, to: Endpoint, port: number): boolean {
  const policies = objects
    .filter((o) => o.kind === 'NetworkPolicy' && (o.metadata.namespace ?? to.namespace) === to.namespace)
    .map((o) => ({ namespace: o.metadata.namespace ?? to.namespace, spec: o['spec'] as PolicySpec }))
    .filter((p) => (p.spec.policyTypes ?? ['Ingress']).includes('Ingress') && matches(p.spec.podSelector, to.labels));
  if (policies.length === 0) return true;
  return policies.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule) =>
        portMatches(rule, port) &&
        (!rule.from?.length || rule.from.some((peer) => peerMatches(peer, p.namespace, from))),
    ),
  );
}
