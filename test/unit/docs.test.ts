import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withTables } from '../../src/migrations/catalog.ts';

describe('generated docs', () => {
  for (const file of ['README.md', 'docs/data-model.md']) {
    it(`${file} lists the current tables (run \`npm run docs\` after changing a migration)`, () => {
      const doc = readFileSync(file, 'utf8');
      expect(doc).toBe(withTables(doc));
    });
  }
});
