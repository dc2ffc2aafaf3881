import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/settings.ts';
import { LOCAL } from '../../src/config/local-services.ts';
import { pgSettings } from '../../src/postgres/connect.ts';
import { pgChecksum } from '../../src/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../src/postgres/migrations/index.ts';
import { INDEXES } from '../../src/postgres/indexes.ts';

describe('PostgreSQL settings and migrations', () => {
  it('defaults to the local services and the agentstore schema; flags beat the environment', () => {
    expect(pgSettings({}, {})).toEqual({ url: LOCAL.postgres, schema: 'agentstore' });
    expect(pgSettings({ pgSchema: 'a1' }, { AGENTSTORE_PG_SCHEMA: 'b2', AGENTSTORE_PG: 'postgres://x/y' })).toEqual({
      url: 'postgres://x/y',
      schema: 'a1',
    });
  });

  it('names the flag of a bad value', () => {
    expect(() => pgSettings({ pgSchema: 'x; drop' }, {})).toThrow(UsageError);
    expect(() => pgSettings({ pgSchema: 'Upper' }, {})).toThrow(/--pg-schema/);
    expect(() => pgSettings({ pg: 'mysql://h/db' }, {})).toThrow(/--pg \/ AGENTSTORE_PG/);
  });

  it('migrations are numbered 1..n with stable checksums, and together create every recommended index', () => {
    expect(PG_MIGRATIONS.map((m) => m.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(PG_MIGRATIONS.map(pgChecksum)).size).toBe(PG_MIGRATIONS.length);
    const ddl = PG_MIGRATIONS.flatMap((m) => m.statements).join('\n');
    for (const ix of INDEXES) expect(ddl).toContain(`CREATE INDEX IF NOT EXISTS ${ix.name} ON ${ix.table}`);
  });

  /** Migration 002's checksum as released: databases that applied it must keep accepting it. */
  const V2_CHECKSUM = '52d49000cfbcbf57';

  it('002 is frozen as applied (its checksum never changes); 003 replaces its pending-inputs index', () => {
    expect(pgChecksum(PG_MIGRATIONS[1]!)).toBe(V2_CHECKSUM);
    expect(PG_MIGRATIONS[2]!.statements).toEqual([
      'DROP INDEX IF EXISTS steps_pending_input',
      'CREATE INDEX IF NOT EXISTS steps_pending_oldest ON steps (created_at) INCLUDE (agent_turn_uid) WHERE tpe = 10',
    ]);
  });
});
