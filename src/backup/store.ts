import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../config/settings.ts';

/**
 * Where backups live: a folder (file:///dir) or an S3-compatible bucket (s3://bucket/prefix). Both
 * are flat key -> bytes stores; a backup is the keys under `<backup id>/`. Writes are whole objects
 * (a file is written beside and renamed, an S3 PUT is atomic), so a kill -9 never leaves half a part
 * that a resumed backup would take for a finished one.
 */
export interface BlobStore {
  /** The URL it was opened from, for messages. */
  readonly url: string;
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** The object's bytes, or undefined where there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Every key under the prefix (recursively). */
  list(prefix: string): Promise<string[]>;
  /** Removes every key under the prefix. */
  removeAll(prefix: string): Promise<void>;
}

export interface S3Target {
  bucket: string;
  prefix: string;
}

/** file:///dir or s3://bucket/prefix; anything else is a usage error naming the flag. */
function parseLocation(flag: string, url: string): { kind: 'file'; dir: string } | ({ kind: 's3' } & S3Target) {
  if (url.startsWith('file://')) {
    const dir = fileURLToPath(url);
    if (!dir.startsWith('/')) throw new UsageError(`${flag}: "${url}" must be an absolute file:///path`);
    return { kind: 'file', dir };
  }
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (s3) return { kind: 's3', bucket: s3[1]!, prefix: (s3[2] ?? '').replace(/\/+$/, '') };
  throw new UsageError(`${flag}: "${url}" is neither file:///absolute/dir nor s3://bucket[/prefix]`);
}

class FileStore implements BlobStore {
  constructor(
    readonly url: string,
    private readonly dir: string,
  ) {}

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = join(this.dir, key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.partial-${process.pid}`;
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.dir, key));
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.dir, prefix), { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !e.name.includes('.partial-'))
        .map((e) => join(e.parentPath, e.name).slice(this.dir.length + 1))
        .sort();
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return [];
      throw err;
    }
  }

  async removeAll(prefix: string): Promise<void> {
    await rm(join(this.dir, prefix), { recursive: true, force: true });
  }
}

/** Opens the store a --to / --from URL names; the S3 client is loaded only for s3:// URLs. */
export async function openStore(flag: string, url: string): Promise<BlobStore> {
  const loc = parseLocation(flag, url);
  if (loc.kind === 'file') return new FileStore(url, loc.dir);
  const { S3Store } = await import('./s3-store.ts');
  return S3Store.open(url, loc);
}
