import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The folders of src/, lowest first. A folder may import only from its own folder and from folders
 * in lower rows (folders in one row are independent of each other), so dependencies point one way,
 * down to src/domain/, and no folder cycle can form. A new folder must be given its row here.
 */
const LAYERS: readonly string[][] = [
  ['domain'],
  ['util', 'log'],
  ['cql'],
  ['schema'],
  ['migrations'],
  ['config'],
  ['clients', 'store', 'connect'],
  ['seed', 'cdc'],
  ['verify', 'readmodels', 'backup'],
  ['projector', 'analytics', 'audit'],
  ['postgres'],
  // The storage library's PostgreSQL backend uses the baseline's schema; the checkpoint bench uses the library.
  ['storage'],
  ['bench'],
  ['cli'],
  ['k8s'],
  ['validate'],
];

const SRC = resolve(new URL('../../src', import.meta.url).pathname);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import of every file in src/ (static, dynamic and type-only), resolved to a path. */
const imports = sources(SRC).flatMap((file) =>
  ts
    .preProcessFile(readFileSync(file, 'utf8'), true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => ({ from: relative(SRC, file), to: relative(SRC, resolve(dirname(file), spec)) })),
);

const folderOf = (path: string): string => path.split(sep)[0]!;
const rank = new Map(LAYERS.flatMap((row, i) => row.map((f) => [f, i] as const)));

describe('import graph of src/', () => {
  it('every folder has its place in the layers', () => {
    const folders = new Set(sources(SRC).map((f) => folderOf(relative(SRC, f))));
    expect([...folders].filter((f) => !rank.has(f)).sort()).toEqual([]);
    expect([...rank.keys()].filter((f) => !folders.has(f)).sort()).toEqual([]);
  });

  it('nothing in src/ imports from outside it (cdk8s/, scripts/, test/)', () => {
    expect(imports.filter((i) => i.to.startsWith('..')).map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it('imports point down the layers only: no folder imports upward or sideways, so no folder cycle', () => {
    const wrong = imports
      .filter((i) => !i.to.startsWith('..') && folderOf(i.from) !== folderOf(i.to))
      .filter((i) => rank.get(folderOf(i.to))! >= rank.get(folderOf(i.from))!)
      .map((i) => `${i.from} -> ${i.to}`);
    expect(wrong).toEqual([]);
  });

  it('src/domain/ is the bottom: it imports nothing of ours', () => {
    expect(imports.filter((i) => folderOf(i.from) === 'domain' && folderOf(i.to) !== 'domain')).toEqual([]);
  });
});
