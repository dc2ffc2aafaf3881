/**
 * The size of the Secret in which Helm stores a release, computed as Helm computes it
 * (pkg/storage/driver/util.go encodeRelease: json.Marshal of the release, gzip at
 * BestCompression, base64 StdEncoding; secrets.go puts that text under data.release) from the
 * release `helm install --dry-run=client -o json` prints (the same struct, marshalled the same way).
 * Kubernetes refuses a Secret whose data exceeds 1 MiB (core/v1 MaxSecretSize).
 */
import { gzipSync } from 'node:zlib';
import { HELM, run, type HelmName } from './tools.ts';

export const SECRET_LIMIT = 1024 * 1024;

/** Go's encoding/json escapes <, > and & in strings (HTML-safe), which JSON.stringify does not. */
const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export interface StoredRelease {
  /** Bytes of data.release in the Secret. */
  secretBytes: number;
  release: {
    chart: { files?: { name: string; data: string }[]; templates: { name: string }[] };
    manifest: string;
    hooks?: { manifest: string }[];
  };
}

export async function storedRelease(
  helm: HelmName,
  o: { chart: string; release: string; namespace: string; valuesFiles?: string[] },
): Promise<StoredRelease> {
  const r = await run(HELM[helm], [
    'install',
    o.release,
    o.chart,
    '--namespace',
    o.namespace,
    '--dry-run=client',
    '--output',
    'json',
    ...(o.valuesFiles ?? []).flatMap((f) => ['--values', f]),
  ]);
  if (r.code !== 0) throw new Error(`${helm} install --dry-run failed:\n${r.stderr}`);
  const release = JSON.parse(r.stdout) as StoredRelease['release'];
  const secretBytes = gzipSync(goJson(release), { level: 9 }).toString('base64').length;
  return { secretBytes, release };
}
