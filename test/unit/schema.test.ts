import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CDC_TABLES } from '../../src/migrations/catalog.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';
import { checksum, renderStep } from '../../src/migrations/runner.ts';
import { createKeyspaceCql } from '../../src/schema/table.ts';

const all = (dialect: 'scylla' | 'cassandra') =>
  MIGRATIONS.flatMap((m) => m.steps.map((s) => renderStep(s, 'ks', dialect)));

describe('DDL per dialect', () => {
  it('ScyllaDB keyspaces disable tablets; Cassandra gets neither tablets nor cdc', () => {
    const r = { datacenter: 'dc1', replicationFactor: 3 };
    expect(createKeyspaceCql('ks', 'scylla', r)).toBe(
      "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3} AND tablets = {'enabled': false}",
    );
    expect(createKeyspaceCql('ks', 'cassandra', r)).not.toMatch(/tablets/);
    expect(all('cassandra').join('\n')).not.toMatch(/cdc|tablets/);
  });

  it('enables CDC on exactly the tables the read side consumes', () => {
    const dropped = new Set<string>(MIGRATIONS.flatMap((m) => ('dropTables' in m ? m.dropTables : [])));
    const cdc = all('scylla')
      .filter((q) => q.includes("cdc = {'enabled': true"))
      .map((q) => /ks\.(\w+)/.exec(q)![1]!)
      .filter((t) => !dropped.has(t));
    expect(cdc.sort()).toEqual([...CDC_TABLES].sort());
  });

  it('the chart registers exactly those tables with the connector (values.yaml connector.tables)', () => {
    const values = parse(readFileSync('charts/agentstore/values.yaml', 'utf8')) as { connector: { tables: string[] } };
    expect(values.connector.tables).toEqual(CDC_TABLES);
  });

  it('every table says which queries it serves', () => {
    for (const q of all('cassandra').filter((q) => q.startsWith('CREATE TABLE')))
      expect(q).toMatch(/comment = '.{20,}'/);
  });

  it('checksums differ per migration and change when a migration changes', () => {
    const sums = MIGRATIONS.map((m) => checksum(m, 'cassandra'));
    expect(new Set(sums).size).toBe(sums.length);
    const edited = {
      ...MIGRATIONS[1]!,
      steps: [{ addColumn: { table: 'turns', column: 'agent_version', type: 'int' as const } }],
    };
    expect(checksum(edited, 'cassandra')).not.toBe(sums[1]);
  });
});
