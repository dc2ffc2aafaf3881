import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backupId, listedBackups, TOOL_VERSION } from '../../src/backup/manifest.ts';
import { repoPath } from '../../src/util/repo.ts';

describe('backup manifest', () => {
  it("records package.json's version as the tool version", () => {
    expect(TOOL_VERSION).toBe(JSON.parse(readFileSync(repoPath('package.json'), 'utf8')).version);
  });

  it('lists backups by keyspace, oldest first, finished only with a manifest', () => {
    const a = backupId('ks_backup', new Date('2026-12-01T03:00:00.001Z'));
    const b = backupId('ks_backup', new Date('2026-12-01T03:00:00.002Z'));
    expect(a).toBe('ks_backup-20261201T030000001Z');
    const listed = listedBackups([`${b}/backup.json`, `${a}/manifest.json`, `${a}/backup.json`, 'stray.txt']);
    expect(listed).toEqual([
      { id: a, keyspace: 'ks_backup', finished: true },
      { id: b, keyspace: 'ks_backup', finished: false },
    ]);
  });
});
