/** `npm run docs`: regenerates the generated blocks of README.md and docs/ (scripts/docs/blocks.ts). */
import { readFile, writeFile } from 'node:fs/promises';
import { repoPath } from '../../src/util/repo.ts';
import { GENERATED_FILES, withBlocks } from './blocks.ts';

for (const file of GENERATED_FILES) {
  const before = await readFile(repoPath(file), 'utf8');
  const after = withBlocks(file, before);
  if (after !== before) await writeFile(repoPath(file), after);
  console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
}
