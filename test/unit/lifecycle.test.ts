import { describe, expect, it } from 'vitest';
import { currentTables, tableDef } from '../../src/migrations/catalog.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';
import { LIFECYCLE, lifecycleMarkdown, TTL_TABLES, undeclared } from '../../src/migrations/lifecycle.ts';
import type { Migration } from '../../src/migrations/migration.ts';
import { ERASE_PHASES } from '../../src/store/erase.ts';

describe('every table says how it is erased and retained (src/migrations/lifecycle.ts)', () => {
  it('each current table has an entry, and no entry names a table that is gone', () => {
    const names = currentTables().map((t) => t.name);
    expect(undeclared(names)).toEqual([]);
    expect(Object.keys(LIFECYCLE).sort()).toEqual([...names].sort());
  });

  it('a migration that adds a table without an entry is found (checkpoints, task context: declare theirs)', () => {
    const added: Migration = {
      version: 99,
      name: 'a table without a lifecycle entry',
      steps: [
        {
          createTable: {
            name: 'checkpoints_by_session',
            serves: 'test',
            columns: { session_id: 'text', at: 'timestamp' },
            partitionKey: ['session_id'],
          },
        },
      ],
    };
    const names = currentTables([...MIGRATIONS, added]).map((t) => t.name);
    expect(undeclared(names)).toEqual(['checkpoints_by_session']);
  });

  it('the eraser deletes from exactly the tables neither kept nor erased by thread, each once', () => {
    const erased = ERASE_PHASES.flat();
    expect(new Set(erased).size).toBe(erased.length);
    const wanted = Object.entries(LIFECYCLE)
      .filter(([, l]) => !('keep' in l.erase) && !('via' in l.erase))
      .map(([t]) => t);
    expect([...erased].sort()).toEqual(wanted.sort());
    // The rows the eraser reads to find the rest go last.
    expect(ERASE_PHASES.at(-1)).toEqual(['sessions']);
  });

  it('no CDC table may expire by TTL (an expiry is not a change event)', () => {
    for (const t of TTL_TABLES) expect(tableDef(t).cdc ?? false, t).toBe(false);
    expect(TTL_TABLES.length).toBeGreaterThan(0);
  });

  it('renders one row per table for docs/lifecycle.md', () => {
    const md = lifecycleMarkdown();
    for (const t of currentTables()) expect(md).toContain(`| \`${t.name}\` |`);
  });
});
