import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runValidate } from '../../src/validate/orchestrator.ts';
import { createProgress } from '../../src/validate/progress.ts';
import { parseQuantity } from '../../src/validate/quantity.ts';
import { RecordingProgress } from '../../src/validate/testing/fakes.ts';
import { ValidateFailure, type Step } from '../../src/validate/types.ts';

const sink = (isTTY: boolean) => {
  let text = '';
  return {
    out: {
      isTTY,
      write: (s: string) => {
        text += s;
        return true;
      },
    },
    text: () => text,
  };
};

describe('progress display', () => {
  it('non-TTY: plain lines, a repeated sub-status printed once', () => {
    const s = sink(false);
    const p = createProgress(s.out, () => 0);
    p.start('install');
    p.update('install', 'scylladb 0/1');
    p.update('install', 'scylladb 0/1');
    p.update('install', 'scylladb 1/1');
    p.finish('install', 'ok', 12.34, 'done');
    expect(s.text()).toBe('==> install\n    scylladb 0/1\n    scylladb 1/1\n[ok  ] install (12.3 s) done\n');
  });

  it('TTY: one line per step, redrawn in place', () => {
    const s = sink(true);
    const p = createProgress(s.out, () => 0);
    p.start('seed');
    p.update('seed', '1000 sessions');
    p.finish('seed', 'failed', 1, 'boom');
    expect(s.text()).toContain('\r\x1b[2K| seed 0s ');
    expect(s.text()).toContain('1000 sessions');
    expect(s.text().endsWith('\r\x1b[2K[FAIL] seed (1.0 s) boom\n')).toBe(true);
    expect(s.text()).not.toContain('\n==>');
  });
});

describe('orchestrator', () => {
  const step = (name: string, run: Step['run']): Step => ({ name, run });

  it('stops at the first failure, marks the rest skipped, reports cause and next step first-line-scoped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-'));
    const progress = new RecordingProgress();
    const { exitCode, outcome } = await runValidate({
      target: { kind: 'local', reasons: ['VALIDATE_TARGET=local'] },
      progress,
      reportDir: dir,
      steps: [
        step('migrate', async (ctx) => {
          ctx.notExercised.push('Kubernetes');
          return 'v3';
        }),
        step('seed', async () => {
          throw new ValidateFailure('seed exited 1', 'run `make services-up`', ['NoHostAvailableError']);
        }),
        step('verify queries', async () => 'never'),
      ],
    });
    expect(exitCode).toBe(1);
    expect(outcome.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'migrate:ok',
      'seed:failed',
      'verify queries:skipped',
      'report:ok',
    ]);
    expect(progress.text).toContain('validate FAILED: seed exited 1');
    expect(progress.text).toContain('next step: run `make services-up`');
    const md = await readFile(join(dir, 'validate.md'), 'utf8');
    expect(md.split('\n')[0]).toBe(
      'target: local mode (Apache Cassandra 5 as the CQL stand-in for ScyllaDB, Kafka, Redis and the projector from `make services-up`). Not exercised: Kubernetes.',
    );
    const json = JSON.parse(await readFile(join(dir, 'validate.json'), 'utf8')) as {
      scope: string;
      passed: boolean;
      failure: { nextStep: string };
    };
    expect(json.scope).toBe(md.split('\n')[0]);
    expect(json.passed).toBe(false);
    expect(json.failure.nextStep).toBe('run `make services-up`');
  });

  it('an unexpected exception is still a named failure, never a crash without a report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-'));
    const { exitCode, outcome } = await runValidate({
      target: { kind: 'local', reasons: [] },
      progress: new RecordingProgress(),
      reportDir: dir,
      steps: [
        step('seed', async () => {
          throw new TypeError('x is undefined');
        }),
      ],
    });
    expect(exitCode).toBe(1);
    expect(outcome.failure?.reason).toBe('unexpected error: x is undefined');
  });
});

describe('quantities', () => {
  it('parses CPU and memory as the API reports them', () => {
    expect(parseQuantity('1500m')).toBe(1.5);
    expect(parseQuantity('8Gi')).toBe(8 * 2 ** 30);
    expect(parseQuantity('7901Mi')).toBe(7901 * 2 ** 20);
    expect(parseQuantity('16318000Ki')).toBe(16318000 * 1024);
    expect(parseQuantity('4')).toBe(4);
    expect(() => parseQuantity('lots')).toThrow('not a Kubernetes quantity');
  });
});
