import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILES, withBlocks } from '../../scripts/docs/blocks.ts';

describe('generated docs', () => {
  for (const file of GENERATED_FILES) {
    it(`${file} has fresh generated blocks (run \`npm run docs\` after changing their sources)`, () => {
      const doc = readFileSync(file, 'utf8');
      expect(doc).toBe(withBlocks(file, doc));
    });
  }
});

describe('self-contained', () => {
  it('no tracked file refers to material outside the repository (imported into docs/ with its source)', () => {
    const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.endsWith('.br') && lstatSync(f).isFile());
    const outside = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\.\.\/shared\/|\/work\/shared|\/work\/wt\//.test(line) ? [`${f}:${i + 1}`] : [])),
    );
    expect(outside).toEqual([]);
  });
});

describe('links', () => {
  it('every relative link in a tracked Markdown file names a file or folder that exists', () => {
    const pages = execFileSync('git', ['ls-files', '*.md'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const broken = pages.flatMap((page) =>
      [...readFileSync(page, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1]!.replace(/#.*$/, ''))
        .filter((target) => target && !/^[a-z]+:/i.test(target))
        .filter((target) => !existsSync(join(dirname(page), target)))
        .map((target) => `${page} -> ${target}`),
    );
    expect(broken).toEqual([]);
  });
});
