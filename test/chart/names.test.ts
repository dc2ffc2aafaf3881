/**
 * Object names for every release name Helm allows (1 to 53 characters): each component's objects get
 * their own names, within the limits Kubernetes enforces after install (support/wiring.ts
 * nameFindings), and two releases in one namespace never share a name, even when their names differ
 * only after the point where names are shortened. Names that fit stay as they were (an upgrade must
 * not rename a StatefulSet: its PVCs are named after it).
 */
import { describe, expect, it } from 'vitest';
import { render, type K8sObject } from './support/render.ts';
import { missingTools } from './support/tools.ts';
import { wiringFindings } from './support/wiring.ts';

const CHART = 'charts/agentstore';
const NAMESPACE = 'apps';
const why = missingTools();

/** Release names of every length class: short, cut before this change, collapsed before it, the maximum. */
const RELEASES = [
  'shop',
  'agentstore',
  'payments-platform-prod', // 22
  'payments-platform-production-eu1', // 32: B = 43 characters, the longest whose names stay as they were
  'payments-platform-production-eu-1', // 33: the four components collapsed onto one name before
  'payments-platform-production-euwest1', // 36, chart review M4
  'agentstore-payments-platform-production-europe-west', // 51, contains "agentstore"
  'payments-platform-production-europe-west1-blue-green', // 52
  'payments-platform-production-europe-west1-blue-green1', // 53, Helm's maximum
];

const names = (objects: K8sObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe.skipIf(why !== null)(`object names of charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(RELEASES)('release %s: distinct names within the limits, auth on', async (release) => {
    const { objects } = await render('helm4', {
      chart: CHART,
      release,
      namespace: NAMESPACE,
      set: [
        'scylladb.auth.enabled=true',
        'scylladb.serviceMonitor.enabled=true',
        'projector.serviceMonitor.enabled=true',
      ],
    });
    expect(wiringFindings(objects, { namespace: NAMESPACE })).toEqual([]);
    const statefulSets = objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name);
    expect(new Set(statefulSets).size).toBe(3);
  });

  it.each([
    ['payments-platform-production-europe-west1-blue-green1', 'payments-platform-production-europe-west1-blue-green2'],
    ['agentstore-payments-platform-production-europe-west-a', 'agentstore-payments-platform-production-europe-west-b'],
    ['payments-platform-production-eu1', 'payments-platform-production-eu2'],
  ])('releases %s and %s in one namespace share no object name', async (a, b) => {
    const one = names((await render('helm4', { chart: CHART, release: a, namespace: NAMESPACE })).objects);
    const two = new Set(names((await render('helm4', { chart: CHART, release: b, namespace: NAMESPACE })).objects));
    expect(one.filter((n) => two.has(n))).toEqual([]);
  });

  it('names that fit are what they were: <release>-agentstore-<component>, or <release>-<component>', async () => {
    const shop = names((await render('helm4', { chart: CHART, release: 'shop', namespace: NAMESPACE })).objects);
    expect(shop).toEqual(
      expect.arrayContaining([
        'StatefulSet/shop-agentstore-scylladb',
        'Service/shop-agentstore-scylladb-client',
        'StatefulSet/shop-agentstore-redis',
        'StatefulSet/shop-agentstore-kafka',
        'Deployment/shop-agentstore-connect',
        'Deployment/shop-agentstore-projector',
        'Job/shop-agentstore-migrate',
      ]),
    );
    const own = names((await render('helm4', { chart: CHART, release: 'agentstore', namespace: NAMESPACE })).objects);
    expect(own).toEqual(expect.arrayContaining(['StatefulSet/agentstore-scylladb', 'Deployment/agentstore-projector']));
    // 32 characters: cut mid-word, but distinct, so kept (renaming would orphan the PVCs on upgrade).
    const cut = names(
      (await render('helm4', { chart: CHART, release: 'payments-platform-production-eu1', namespace: NAMESPACE }))
        .objects,
    );
    expect(cut).toEqual(
      expect.arrayContaining([
        'StatefulSet/payments-platform-production-eu1-agentstore-s',
        'StatefulSet/payments-platform-production-eu1-agentstore-r',
        'StatefulSet/payments-platform-production-eu1-agentstore-k',
      ]),
    );
  });
});
