/** Regenerates the tables section of README.md and docs/data-model.md from the migrations. */
import { readFile, writeFile } from 'node:fs/promises';
import { withTables } from '../../src/migrations/catalog.ts';
import { repoPath } from '../../src/util/repo.ts';

for (const file of ['README.md', 'docs/data-model.md']) {
  const before = await readFile(repoPath(file), 'utf8');
  const after = withTables(before);
  if (after !== before) await writeFile(repoPath(file), after);
  console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
}
