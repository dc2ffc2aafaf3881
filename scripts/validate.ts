/**
 * `make validate`, local mode: the data layer on the real local services, end to end.
 * Migrate, seed a dataset of over 100k steps, verify every key query against the ground truth,
 * and write a report (.reports/validate.md and .json). The report's first line says what ran and
 * what was not exercised.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { $ } from 'zx';
import type { VerifyReport } from '../src/verify/verify.ts';

$.verbose = false;
const KEYSPACE = process.env['AGENTSTORE_KEYSPACE'] ?? 'agentstore_validate';
const DATASET = ['--seed', '42', '--sessions', process.env['VALIDATE_SESSIONS'] ?? '8000', '--accounts', '200', '--days', '30'];
const cli = ['node', 'bin/agentstore.js'];

const scope =
  'target: local mode (Apache Cassandra 5 as the CQL stand-in for ScyllaDB, on the services from `make services-up`). ' +
  'Not exercised: Kubernetes and the Helm chart, ScyllaDB itself (its CDC and tablets options are rendered but not applied), ' +
  'the CDC path to Kafka and Redis.';

interface StepResult {
  step: string;
  seconds: number;
  ok: boolean;
  detail: string;
}

const steps: StepResult[] = [];
async function step(name: string, args: string[]): Promise<string> {
  process.stdout.write(`==> ${name}\n`);
  const started = performance.now();
  const proc = $({ stdio: ['ignore', 'pipe', 'inherit'] })`${cli} ${args}`.nothrow();
  proc.stdout.on('data', (d: Buffer) => process.stdout.write(d));
  const out = await proc;
  const seconds = (performance.now() - started) / 1000;
  const lastLine = out.stdout.trim().split('\n').at(-1) ?? '';
  steps.push({ step: name, seconds, ok: out.exitCode === 0, detail: lastLine });
  if (out.exitCode !== 0) await finish(`step "${name}" failed (exit ${out.exitCode}); see the output above`);
  return out.stdout;
}

async function finish(failure?: string): Promise<never> {
  await mkdir('.reports', { recursive: true });
  let verify: VerifyReport | undefined;
  try {
    verify = JSON.parse(await readFile('.reports/verify.json', 'utf8')) as VerifyReport;
  } catch {
    verify = undefined;
  }
  const md = [
    scope,
    '',
    `# agentstore validate: ${failure ? 'FAILED' : 'passed'}`,
    '',
    '| step | seconds | result | detail |',
    '|---|---:|---|---|',
    ...steps.map((s) => `| ${s.step} | ${s.seconds.toFixed(1)} | ${s.ok ? 'ok' : 'FAILED'} | ${s.detail.replace(/\|/g, '\\|')} |`),
    '',
    ...(verify
      ? ['## Key queries', '', '| query | what | checks | rows | result | p50 ms | p99 ms |', '|---|---|---:|---:|---|---:|---:|',
          ...verify.queries.map((q) => `| ${q.query} | ${q.title} | ${q.checks} | ${q.rows} | ${q.failed ? 'FAIL' : 'pass'} | ${q.p50Ms.toFixed(2)} | ${q.p99Ms.toFixed(2)} |`)]
      : []),
    ...(failure ? ['', `**${failure}**`] : []),
  ].join('\n');
  await writeFile('.reports/validate.md', md + '\n');
  await writeFile('.reports/validate.json', JSON.stringify({ scope, passed: !failure, failure, steps, verify }, null, 2));
  console.log(`\n${scope}\nreport: .reports/validate.md, .reports/validate.json`);
  console.log(failure ? `validate FAILED: ${failure}` : 'validate passed');
  process.exit(failure ? 1 : 0);
}

await step('migrate', ['migrate', '--keyspace', KEYSPACE]);
await step('seed', ['seed', '--keyspace', KEYSPACE, ...DATASET]);
await step('verify key queries', ['verify', '--keyspace', KEYSPACE, ...DATASET, '--json', '.reports/verify.json']);
await finish();
