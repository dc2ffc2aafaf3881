import { readFileSync } from 'node:fs';
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
