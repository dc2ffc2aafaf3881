import { isDeepStrictEqual } from 'node:util';
import { Gauge, Registry } from 'prom-client';
import type { KeyQueries } from '../domain/queries.ts';
import { checksFor, QUERY_IDS, type Check, type CheckSample, type QueryId } from '../verify/checks.ts';

/**
 * The continuous audit: the key queries of a sample (src/audit/sample.ts) asked of the write model
 * (the reference) and of each other store (the Redis read models; PostgreSQL during a migration),
 * answer for answer. A store that is being caught up (the projector's lag) may differ for a moment,
 * so every difference is asked again after `recheckMs`: only one that persists is a divergence.
 */
interface Divergence {
  store: string;
  query: QueryId;
  label: string;
  expected: string;
  actual: string;
}

export interface AuditReport {
  sample: { sessions: number; accounts: number; versions: number };
  checks: number;
  /** Per store and query: checks asked and divergences. */
  counts: { store: string; query: QueryId; checks: number; divergences: number }[];
  divergences: Divergence[];
  passed: boolean;
}

const shorten = (v: unknown): string => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 300 ? `${s.slice(0, 300)}...` : s;
};

async function differing(checks: Check[], reference: KeyQueries, store: KeyQueries): Promise<Check[]> {
  const out: Check[] = [];
  for (const c of checks) if (!isDeepStrictEqual(await c.run(store), await c.run(reference))) out.push(c);
  return out;
}

export async function audit(
  sample: CheckSample,
  reference: KeyQueries,
  stores: Record<string, KeyQueries>,
  opts: { recheckMs: number },
): Promise<AuditReport> {
  const checks = checksFor(sample);
  const report: AuditReport = {
    sample: { sessions: sample.sessions.length, accounts: sample.accounts.length, versions: sample.versions.length },
    checks: checks.length,
    counts: [],
    divergences: [],
    passed: true,
  };
  for (const [name, store] of Object.entries(stores)) {
    let suspects = await differing(checks, reference, store);
    if (suspects.length && opts.recheckMs > 0) {
      await new Promise((r) => setTimeout(r, opts.recheckMs));
      suspects = await differing(suspects, reference, store);
    }
    for (const c of suspects)
      report.divergences.push({
        store: name,
        query: c.query,
        label: c.label,
        expected: shorten(await c.run(reference)),
        actual: shorten(await c.run(store)),
      });
    for (const query of QUERY_IDS)
      report.counts.push({
        store: name,
        query,
        checks: checks.filter((c) => c.query === query).length,
        divergences: suspects.filter((c) => c.query === query).length,
      });
  }
  report.passed = report.divergences.length === 0;
  return report;
}

/** The report as Prometheus metrics (a Pushgateway, or a node_exporter textfile). */
export function auditMetrics(report: AuditReport, at = new Date()): Registry {
  const registry = new Registry();
  const checks = new Gauge({
    name: 'agentstore_audit_checks',
    help: 'Key-query checks the last audit asked, by store compared with CQL and query',
    labelNames: ['store', 'query'],
    registers: [registry],
  });
  const divergences = new Gauge({
    name: 'agentstore_audit_divergences',
    help: 'Checks whose answer differed from CQL twice (after a recheck), by store and query',
    labelNames: ['store', 'query'],
    registers: [registry],
  });
  for (const c of report.counts) {
    checks.set({ store: c.store, query: c.query }, c.checks);
    divergences.set({ store: c.store, query: c.query }, c.divergences);
  }
  new Gauge({
    name: 'agentstore_audit_sampled_sessions',
    help: 'Sessions in the last audit sample',
    registers: [registry],
  }).set(report.sample.sessions);
  new Gauge({
    name: 'agentstore_audit_passed',
    help: '1 if the last audit found no divergence, else 0',
    registers: [registry],
  }).set(report.passed ? 1 : 0);
  new Gauge({
    name: 'agentstore_audit_last_run_timestamp_seconds',
    help: 'When the last audit finished (Unix time)',
    registers: [registry],
  }).set(at.getTime() / 1000);
  return registry;
}

export function formatAudit(report: AuditReport): string {
  const stores = [...new Set(report.counts.map((c) => c.store))];
  const lines = [
    `audited ${report.sample.sessions} sessions, ${report.sample.accounts} accounts, ${report.sample.versions} agent versions: ${report.checks} checks against CQL on ${stores.join(', ')}`,
  ];
  for (const d of report.divergences)
    lines.push(
      `DIVERGENCE ${d.store} ${d.query} (${d.label}):`,
      `  cql   ${d.expected}`,
      `  ${d.store.padEnd(5)} ${d.actual}`,
    );
  lines.push(
    report.passed ? 'no divergence' : `${report.divergences.length} divergences (${stores.join(', ')} differ from CQL)`,
  );
  return lines.join('\n');
}
