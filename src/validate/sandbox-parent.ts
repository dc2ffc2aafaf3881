/**
 * The chart as a parent uses it: an alias, a condition, a global the subchart does not know, a 44-character release
 * name, installed next to the first release in the same namespace, then helm test and uninstall.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { tail, type SandboxSession } from './sandbox-session.ts';
import { SANDBOX_VALUES } from './target.ts';
import { ValidateFailure, type Step } from './types.ts';

/** 44 characters: long release names once made the subcharts' names collide. */
const PARENT_RELEASE = 'payments-platform-production-euwest1-datalyr';

export function parentChartStep(s: SandboxSession): Step {
  const { d, ns, rel, helm, deploy } = s;
  return {
    name: 'parent chart, long name, second release',
    async run(ctx, line) {
      // The patterns parents use: a condition, a global the subchart does not know, an alias; a release name of
      // 40+ characters; installed next to the first release in the same namespace.
      const dir = await mkdtemp(join(tmpdir(), 'agentstore-parent-'));
      const parent = join(dir, 'parent');
      await cp('test/fixtures/parent-chart', parent, { recursive: true, dereference: true });
      // The fixture's sibling `redis` exists for render-time name collisions (test/chart checks those): its image and
      // its ServiceMonitor CRD are not on this cluster, so the installed parent keeps only agentstore.
      const chart = parse(await readFile(join(parent, 'Chart.yaml'), 'utf8')) as {
        dependencies: { name: string; repository: string; condition?: string }[];
      };
      chart.dependencies = chart.dependencies
        .filter((dep) => dep.name === 'agentstore')
        .map((dep) => ({
          ...dep,
          repository: `file://${join(process.cwd(), 'charts/agentstore')}`,
          condition: 'datalayer.enabled',
        }));
      await writeFile(join(parent, 'Chart.yaml'), stringify(chart));
      await rm(join(parent, 'deps'), { recursive: true, force: true });
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
      // What uninstall leaves by design (PVCs, the kept Secret and cluster-id ConfigMap, the last test pod) goes too: a rerun
      // of validate must find only the first release's leftovers in the namespace.
      await d.host.exec(d.kubectl, [
        '-n',
        ns,
        'delete',
        'pvc,pod,configmap,secret',
        '-l',
        `app.kubernetes.io/instance=${name}`,
        '--wait=false',
      ]);
      await rm(dir, { recursive: true, force: true });
      return `parent chart (alias datalayer, condition datalayer.enabled, foreign global.storageClass; the fixture's render-only sibling redis left out) as release ${name} (${name.length} characters) next to ${rel} in ${ns}: installed (${ready}), helm test passed, uninstalled`;
    },
  };
}
