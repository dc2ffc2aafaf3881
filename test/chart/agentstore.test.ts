/**
 * The generic chart checks (test/chart/support/chart-suite.ts) on charts/agentstore, for its
 * defaults and every file in values/, under Helm 4 and Helm 3.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeChart } from './support/chart-suite.ts';
import { ROOT } from './support/tools.ts';

const CHART = 'charts/agentstore';
const valuesFiles = existsSync(join(ROOT, 'values'))
  ? readdirSync(join(ROOT, 'values'))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => `values/${f}`)
  : [];

describeChart({
  chart: CHART,
  valuesFiles,
  release: 'agentstore',
  namespace: 'agentstore-test',
  // Objects the chart documents as created by the operator before install (README "External objects").
  external: [],
  // values/external-kafka.yaml points the release at brokers it does not deploy.
  externalHosts: (v) =>
    String(
      (v['global'] as { externalKafka?: { bootstrapServers?: string } } | undefined)?.externalKafka?.bootstrapServers ??
        '',
    )
      .split(',')
      .filter(Boolean),
  // global is open to a parent's keys, but the keys agentstore owns stay strict.
  badValues: [
    { name: 'unknown key in global.externalKafka', setJson: 'global.externalKafka.notAValue=1', names: 'notAValue' },
    { name: 'bad global.keyspace', setJson: 'global.keyspace="Not-A-Keyspace"', names: 'keyspace' },
    {
      name: 'fullnameOverride beyond 34 characters',
      setJson: `fullnameOverride="${'x'.repeat(35)}"`,
      names: 'fullnameOverride',
    },
    {
      name: 'wrong type of global.imagePullSecrets',
      setJson: 'global.imagePullSecrets="regcred"',
      names: 'imagePullSecrets',
    },
  ],
});
