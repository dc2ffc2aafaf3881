import { CDC_TABLES } from '../migrations/catalog.ts';

/** Where the connector publishes a table's changes: its topic.prefix, then keyspace and table. */
export const topicOf = (c: { topicPrefix: string; keyspace: string }, table: string): string =>
  `${c.topicPrefix}.${c.keyspace}.${table}`;

/** The topics of every CDC table: what the projector consumes and the stand-in publishes to. */
export const cdcTopics = (c: { topicPrefix: string; keyspace: string }): string[] =>
  CDC_TABLES.map((t) => topicOf(c, t));
