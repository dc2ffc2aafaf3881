/**
 * The generic chart checks on a small, correctly wired fixture chart: proves the suite passes on a
 * good chart (wiring.test.ts proves each check fails on a broken one).
 */
import { describeChart } from './support/chart-suite.ts';

describeChart({
  chart: 'test/fixtures/parent-chart/deps/redis',
  release: 'fx',
  namespace: 'fixture-ns',
  badValues: [{ name: 'port out of range', setJson: 'port=70000', names: 'port' }],
});
