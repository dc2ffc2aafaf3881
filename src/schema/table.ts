import type { Dialect } from '../cql/dialect.ts';

/**
 * A table of the write model, described as data so the DDL for each dialect, the README's
 * table -> queries -> keys list and the docs all come from one place.
 */
export interface TableDef {
  readonly name: string;
  /** Which key queries (P1..E3) or write-path checks read this table, and why it is shaped so. */
  readonly serves: string;
  readonly columns: Readonly<Record<string, CqlType>>;
  readonly partitionKey: readonly string[];
  readonly clustering?: readonly { readonly column: string; readonly order: 'ASC' | 'DESC' }[];
  readonly staticColumns?: readonly string[];
  /** The read side (projector) consumes this table's changes; ScyllaDB only. */
  readonly cdc?: boolean;
}

/** The CQL column types the tables use; the typed rows (src/migrations/catalog.ts) map each to a value type. */
export type CqlType = 'text' | 'timestamp' | 'date' | 'int' | 'double' | 'blob';

/**
 * ScyllaDB CDC options (docs/features/cdc/cdc-log-table.rst and cdc-preimages.rst in scylladb/scylladb,
 * see docs/notes/scylla-cdc.md). The connector's `advanced` output fills `before` from the preimage
 * and `after` from the postimage; each costs a read before the write. The log keeps 24 h of changes,
 * which bounds how long the connector may be down before it misses changes.
 */
const SCYLLA_CDC_OPTIONS = "{'enabled': true, 'preimage': true, 'postimage': true, 'delta': 'full', 'ttl': 86400}";

function quoteComment(text: string): string {
  return text.replace(/'/g, "''");
}

export function createTableCql(keyspace: string, def: TableDef, dialect: Dialect): string {
  const statics = new Set(def.staticColumns ?? []);
  const cols = Object.entries(def.columns).map(
    ([name, type]) => `  ${name} ${type}${statics.has(name) ? ' STATIC' : ''}`,
  );
  const pk = def.partitionKey.length === 1 ? def.partitionKey[0]! : `(${def.partitionKey.join(', ')})`;
  const clustering = def.clustering ?? [];
  const key = [pk, ...clustering.map((c) => c.column)].join(', ');
  const options: string[] = [];
  if (clustering.length) {
    options.push(`CLUSTERING ORDER BY (${clustering.map((c) => `${c.column} ${c.order}`).join(', ')})`);
  }
  options.push(`comment = '${quoteComment(def.serves)}'`);
  // Cassandra's `cdc` option is a boolean for its unrelated commitlog CDC; the ScyllaDB map is rejected there.
  if (def.cdc && dialect === 'scylla') options.push(`cdc = ${SCYLLA_CDC_OPTIONS}`);
  return `CREATE TABLE IF NOT EXISTS ${keyspace}.${def.name} (\n${cols.join(',\n')},\n  PRIMARY KEY (${key})\n) WITH ${options.join('\n  AND ')}`;
}

export interface ReplicationOptions {
  /** Data-centre name; the ScyllaDB container and Cassandra both default to datacenter1. */
  datacenter: string;
  replicationFactor: number;
}

/**
 * ScyllaDB: new keyspaces default to tablets, the CDC connector's tablets path is untested by its
 * authors, and tablets cannot be turned off later, so they are disabled at creation
 * (scylladb docs/architecture/tablets.rst; docs/notes/scylla-on-kubernetes.md).
 * Cassandra 5 rejects the `tablets` property ("Unknown property").
 */
export function createKeyspaceCql(keyspace: string, dialect: Dialect, r: ReplicationOptions): string {
  const replication = `{'class': 'NetworkTopologyStrategy', '${r.datacenter}': ${r.replicationFactor}}`;
  const tablets = dialect === 'scylla' ? ` AND tablets = {'enabled': false}` : '';
  return `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replication}${tablets}`;
}

export const KEYSPACE_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;
