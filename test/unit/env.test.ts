import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV, type EnvVar } from '../../src/config/env.ts';
import { pgSettings } from '../../src/postgres/connect.ts';

const declared: EnvVar[] = Object.values(ENV);
const ROOT = new URL('../..', import.meta.url).pathname;
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.endsWith('.br') && f !== 'package-lock.json' && lstatSync(`${ROOT}/${f}`).isFile());
const text = (f: string): string => readFileSync(`${ROOT}/${f}`, 'utf8');

describe('AGENTSTORE_* variables: declared once, in src/config/env.ts', () => {
  it('every AGENTSTORE_* name in the repository (code, chart, docs, tests) is a declared variable', () => {
    const known = new Set<string>(declared.flatMap((v) => [v.name, ...(v.formerly ?? [])]));
    const unknown = tracked.flatMap((f) =>
      [...text(f).matchAll(/\bAGENTSTORE_[A-Z0-9_]*[A-Z0-9]\b/g)]
        .map((m) => m[0])
        .filter((name) => !known.has(name))
        .map((name) => `${f}: ${name}`),
    );
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('every declared variable is read through its declaration somewhere', () => {
    const code = tracked.filter((f) => /^(src|cdk8s)\/.*\.ts$/.test(f) && f !== 'src/config/env.ts').map(text);
    const unread = Object.keys(ENV).filter((k) => !code.some((c) => c.includes(`ENV.${k}`)));
    // The logger sits below config/ and reads its variable by the constant the declaration uses.
    expect(unread).toEqual(['logLevel']);
    expect(text('src/log/log.ts')).toContain('process.env[LOG_LEVEL_VAR]');
  });

  it('AGENTSTORE_PG, and AGENTSTORE_POSTGRES (the name the README once gave) with a deprecation warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      expect(pgSettings({}, { AGENTSTORE_POSTGRES: 'postgres://old/db' }).url).toBe('postgres://old/db');
      expect(pgSettings({}, { AGENTSTORE_PG: 'postgres://new/db', AGENTSTORE_POSTGRES: 'postgres://old/db' }).url).toBe(
        'postgres://new/db',
      );
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([
      'DeprecationWarning: AGENTSTORE_POSTGRES is deprecated: set AGENTSTORE_PG instead (it is read for now)',
    ]);
  });
});
