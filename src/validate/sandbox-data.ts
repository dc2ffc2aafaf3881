/**
 * What the sandbox path compares before and after an upgrade, a pod restart or a reinstall: the rows of every
 * table in the release's keyspaces (CQL), the read-model keys (Redis), the topics (Kafka), read straight from
 * the pods. validate runs inside the sandbox's network namespace, where pod addresses are reachable and the
 * policy controller admits traffic from the node itself (as kubelet's probes need).
 */
import cassandraDriver from 'cassandra-driver';
import { createClient } from '@redis/client';
import type { Host, Kube } from './kube.ts';

export interface DataSnapshot {
  /** keyspace.table -> rows */
  rows: Record<string, number>;
  redisKeys: number;
  topics: string[];
}

export const sameData = (a: DataSnapshot, b: DataSnapshot): string[] => {
  const diffs: string[] = [];
  for (const k of new Set([...Object.keys(a.rows), ...Object.keys(b.rows)])) {
    if (a.rows[k] !== b.rows[k])
      diffs.push(`${k}: ${a.rows[k] ?? 'absent'} rows before, ${b.rows[k] ?? 'absent'} after`);
  }
  if (a.redisKeys !== b.redisKeys) diffs.push(`Redis: ${a.redisKeys} keys before, ${b.redisKeys} after`);
  const lost = a.topics.filter((t) => !b.topics.includes(t));
  if (lost.length) diffs.push(`Kafka topics lost: ${lost.join(', ')}`);
  return diffs;
};

export const describeData = (s: DataSnapshot): string =>
  `${Object.values(s.rows).reduce((x, y) => x + y, 0)} rows in ${Object.keys(s.rows).length} tables, ${s.redisKeys} Redis keys, ${s.topics.length} topics`;

export interface DataOptions {
  namespace: string;
  release: string;
  keyspaces: string[];
  kubectl: string;
}

async function podIp(kube: Kube, ns: string, selector: string): Promise<{ name: string; ip: string }> {
  const pod = (await kube.listPods(ns, selector)).find((p) => p.ready && p.ip);
  if (!pod?.ip) throw new Error(`no ready pod with ${selector} in ${ns}`);
  return { name: pod.name, ip: pod.ip };
}

export async function snapshot(kube: Kube, host: Host, o: DataOptions): Promise<DataSnapshot> {
  const inst = `app.kubernetes.io/instance=${o.release}`;
  const cql = await podIp(kube, o.namespace, `app.kubernetes.io/name=scylladb,${inst}`);
  const client = new cassandraDriver.Client({
    contactPoints: [cql.ip],
    localDataCenter: 'datacenter1',
    socketOptions: { connectTimeout: 5000, readTimeout: 60_000 },
  });
  const rows: Record<string, number> = {};
  try {
    await client.connect();
    for (const ks of o.keyspaces) {
      const tables = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [ks], {
        prepare: true,
      });
      for (const t of tables.rows) {
        const name = String(t['table_name']);
        const c = await client.execute(`SELECT COUNT(*) FROM "${ks}"."${name}"`);
        rows[`${ks}.${name}`] = Number(c.first()?.get('count') ?? 0);
      }
    }
  } finally {
    await client.shutdown().catch(() => undefined);
  }
  const redis = await podIp(kube, o.namespace, `app.kubernetes.io/name=redis,${inst}`);
  const secret = await host.exec(o.kubectl, [
    '-n',
    o.namespace,
    'get',
    'secret',
    '-l',
    `app.kubernetes.io/name=redis,${inst}`,
    '-o',
    'jsonpath={.items[0].data.password}',
  ]);
  const password = secret.stdout ? Buffer.from(secret.stdout, 'base64').toString('utf8') : undefined;
  const r = createClient({
    socket: { host: redis.ip, port: 6379, connectTimeout: 5000 },
    ...(password ? { password } : {}),
  });
  await r.connect();
  let redisKeys: number;
  try {
    redisKeys = await r.dbSize();
  } finally {
    r.destroy();
  }
  const kafka = await podIp(kube, o.namespace, `app.kubernetes.io/name=kafka,${inst}`);
  const list = await host.exec(
    o.kubectl,
    ['-n', o.namespace, 'exec', kafka.name, '--', 'kafka-topics.sh', '--bootstrap-server', 'localhost:9092', '--list'],
    120_000,
  );
  if (list.code !== 0) throw new Error(`kafka-topics.sh --list in ${kafka.name}: ${list.stderr.trim().split('\n')[0]}`);
  const topics = list.stdout
    .split('\n')
    .map((t) => t.trim())
    .filter((t) => t && !t.startsWith('__'))
    .sort();
  return { rows, redisKeys, topics };
}
