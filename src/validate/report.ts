/**
 * The final report, .reports/validate.md and .json. The first line of both says where it ran and
 * what was not exercised, so a reader never mistakes local mode for a cluster run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CdcResult } from './cdc-local.ts';
import type { VerifyReport } from '../verify/verify.ts';
import type { StepContext, StepResult, Target } from './types.ts';
import { REPORTS_DIR } from '../util/repo.ts';

export interface RunOutcome {
  target: Target;
  steps: StepResult[];
  ctx: StepContext;
  failure?: { reason: string; nextStep: string; details: string[] };
  /** Lines about what is left behind (the release), printed and reported. */
  leftovers: string[];
}

const TARGET_TEXT: Record<Target['kind'], string> = {
  cluster: 'existing Kubernetes cluster',
  kind: 'kind cluster',
  sandbox:
    "sandbox cluster (real Kubernetes, containerd and pods in their own network namespace, built by scripts/cluster; every image built here, the ScyllaDB pod a Cassandra 5 stand-in, the CDC leg fed by the CLI's CDC stand-in)",
  local:
    'local mode (Apache Cassandra 5 as the CQL stand-in for ScyllaDB, Kafka, Redis and the projector from `make services-up`)',
};

export function scopeLine(o: RunOutcome): string {
  const t = o.target;
  const where = `${TARGET_TEXT[t.kind]}${t.context ? ` (context ${t.context}, ${t.valuesFile})` : ''}`;
  const not = [...new Set(o.ctx.notExercised)];
  return `target: ${where}. Not exercised: ${not.length ? not.join('; ') : 'nothing'}.`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderMarkdown(o: RunOutcome): string {
  const verify = o.ctx.data['verify'] as VerifyReport | undefined;
  const cdc = o.ctx.data['cdc'] as CdcResult | undefined;
  const queryTable = (title: string, r: VerifyReport) => [
    `## ${title}`,
    '',
    '| query | what | checks | rows | result | p50 ms | p99 ms |',
    '|---|---|---:|---:|---|---:|---:|',
    ...r.queries.map(
      (q) =>
        `| ${q.query} | ${q.title} | ${q.checks} | ${q.rows} | ${q.failed ? 'FAIL' : 'pass'} | ${q.p50Ms.toFixed(2)} | ${q.p99Ms.toFixed(2)} |`,
    ),
    '',
  ];
  return [
    scopeLine(o),
    '',
    `# agentstore validate: ${o.failure ? 'FAILED' : 'passed'}`,
    '',
    `Target chosen because: ${o.target.reasons.join('; ')}.`,
    '',
    '| step | seconds | result | detail |',
    '|---|---:|---|---|',
    ...o.steps.map(
      (s) =>
        `| ${s.step} | ${s.seconds.toFixed(1)} | ${s.status === 'ok' ? 'ok' : s.status === 'failed' ? 'FAILED' : 'skipped'} | ${cell(s.detail)} |`,
    ),
    '',
    ...(o.failure
      ? [
          `**${o.failure.reason}**`,
          '',
          `Next step: ${o.failure.nextStep}`,
          '',
          ...(o.failure.details.length ? ['```text', ...o.failure.details, '```', ''] : []),
        ]
      : []),
    ...o.leftovers.map((l) => `**${l}**`),
    ...(o.leftovers.length ? [''] : []),
    ...(verify ? queryTable('Key queries (CQL store)', verify) : []),
    ...(cdc ? queryTable('Key queries over the Redis read models (CDC path)', cdc.report) : []),
    ...(cdc
      ? [
          `CDC lag over ${cdc.writes} fresh writes: p50 ${cdc.lagP50Ms.toFixed(1)} ms, p99 ${cdc.lagP99Ms.toFixed(1)} ms.`,
          '',
        ]
      : []),
    ...o.ctx.sections.flatMap((s) => [`## ${s.title}`, '', '```text', ...s.lines, '```', '']),
  ].join('\n');
}

/** Where the report goes: the checkout's .reports/, whatever directory validate was started from. */
export const reportPaths = (dir = REPORTS_DIR): { md: string; json: string } => ({
  md: join(dir, 'validate.md'),
  json: join(dir, 'validate.json'),
});

export async function writeReport(o: RunOutcome, dir = REPORTS_DIR): Promise<{ md: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const { md, json } = reportPaths(dir);
  await writeFile(md, renderMarkdown(o));
  await writeFile(
    json,
    JSON.stringify(
      {
        scope: scopeLine(o),
        passed: !o.failure,
        target: o.target,
        notExercised: [...new Set(o.ctx.notExercised)],
        failure: o.failure,
        leftovers: o.leftovers,
        steps: o.steps,
        ...o.ctx.data,
        sections: o.ctx.sections,
      },
      null,
      2,
    ),
  );
  return { md, json };
}
