// Image building without a registry or a daemon: a root filesystem (debootstrap, or just files) packed as an OCI
// image with umoci, converted to a docker-archive with skopeo, imported into containerd with ctr. Root
// filesystems and image archives are cached by the hash of everything that goes into them.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { IMAGE_CACHE } from '../layout.ts';
import { DEBIAN_SUITE } from '../versions.ts';

export class ImageBuildError extends Error {}

const sh = $({ quiet: true, timeout: '20m' });

export const hashOf = (...parts: unknown[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);

/** The Debian mirror the machine's own apt uses (deb822 or one-line sources), so no host is written down here. */
async function debianMirror(): Promise<string> {
  const files = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch(() => '');
    const deb822 = /^URIs:\s*(\S+)[^]*?^Suites:[^\n]*\bbookworm\b/m.exec(text);
    if (deb822?.[1] && !deb822[1].includes('security')) return deb822[1];
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line?.[1]) return line[1];
  }
  throw new ImageBuildError(`no Debian ${DEBIAN_SUITE} mirror found in ${files.join(' or ')}`);
}

/**
 * A Debian root filesystem (minbase plus `packages`), built once per package list and kept as a tarball; the
 * downloaded .debs are cached too, so a rebuild with one more package fetches only that one.
 */
export async function debianRootfs(name: string, packages: string[], log: (m: string) => void): Promise<string> {
  const key = hashOf(DEBIAN_SUITE, [...packages].sort());
  const tar = path.join(IMAGE_CACHE, 'rootfs', `${name}-${DEBIAN_SUITE}-${key}.tar`);
  if (existsSync(tar)) return tar;
  const dir = path.join(IMAGE_CACHE, 'rootfs', `${name}.partial`);
  const debs = path.join(IMAGE_CACHE, 'debs');
  await rm(dir, { recursive: true, force: true });
  await mkdir(debs, { recursive: true });
  await mkdir(path.dirname(tar), { recursive: true });
  const logFile = path.join(IMAGE_CACHE, 'rootfs', `${name}.log`);
  log(`debootstrap ${DEBIAN_SUITE} minbase + ${packages.join(' ')} (once; log ${logFile})`);
  const args = [`--cache-dir=${debs}`, `--include=${packages.join(',')}`, DEBIAN_SUITE, dir, await debianMirror()];
  const r = await $({ quiet: true, nothrow: true, timeout: '20m' })`debootstrap --variant=minbase ${args}`;
  await writeFile(logFile, r.stdout + r.stderr);
  if (r.exitCode !== 0) {
    throw new ImageBuildError(
      `debootstrap of the ${name} root filesystem failed (exit ${r.exitCode}); log kept at ${logFile}\n${r.stderr.trim().split('\n').slice(-8).join('\n')}`,
    );
  }
  // Package caches and lists are dead weight in an image.
  await sh`rm -rf ${dir}/var/cache/apt/archives/*.deb ${dir}/var/lib/apt/lists/* ${dir}/usr/share/doc ${dir}/usr/share/man`;
  await sh`tar -C ${dir} -cf ${tar}.partial .`;
  await rename(`${tar}.partial`, tar);
  await rm(dir, { recursive: true, force: true });
  return tar;
}

export interface ImageSpec {
  /** The full reference pods ask for, e.g. sandbox.agentstore.local/library/redis:8.6.5 */
  ref: string;
  /** Root filesystem tarball to start from (undefined: an empty filesystem). */
  rootfs?: string;
  /** Adds files into the unpacked root filesystem (paths relative to it). */
  populate(rootfs: string): Promise<void>;
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  labels: Record<string, string>;
  /** Everything the image depends on besides rootfs (versions, file contents): part of the cache key. */
  inputs: unknown[];
}

/** Builds the image archive unless a current one is cached; returns its path. */
export async function buildImage(spec: ImageSpec, log: (m: string) => void): Promise<string> {
  const key = hashOf(
    spec.ref,
    spec.rootfs ?? '',
    spec.entrypoint,
    spec.cmd,
    spec.env,
    spec.user,
    spec.labels,
    spec.inputs,
  );
  const safe = spec.ref.replace(/[^\w.-]+/g, '_');
  const archive = path.join(IMAGE_CACHE, `${safe}-${key}.tar`);
  if (existsSync(archive)) return archive;
  log(`building image ${spec.ref}`);
  const work = path.join(IMAGE_CACHE, 'work', safe);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const layout = path.join(work, 'oci');
  const bundle = path.join(work, 'bundle');
  const tag = 'build';
  try {
    await sh`umoci init --layout ${layout}`;
    await sh`umoci new --image ${layout}:${tag}`;
    await sh`umoci unpack --image ${layout}:${tag} ${bundle}`;
    const rootfs = path.join(bundle, 'rootfs');
    if (spec.rootfs) await sh`tar -C ${rootfs} -xf ${spec.rootfs}`;
    await spec.populate(rootfs);
    await sh`umoci repack --image ${layout}:${tag} ${bundle}`;
    const flags: string[] = [];
    for (const e of spec.entrypoint ?? []) flags.push('--config.entrypoint', e);
    for (const c of spec.cmd ?? []) flags.push('--config.cmd', c);
    for (const [k, v] of Object.entries(spec.env ?? {})) flags.push('--config.env', `${k}=${v}`);
    for (const [k, v] of Object.entries(spec.labels)) flags.push('--config.label', `${k}=${v}`);
    if (spec.user) flags.push('--config.user', spec.user);
    if (spec.workdir) flags.push('--config.workingdir', spec.workdir);
    await sh`umoci config --image ${layout}:${tag} ${flags}`;
    await sh`skopeo copy --quiet oci:${layout}:${tag} docker-archive:${archive}.partial:${spec.ref}`;
    await rename(`${archive}.partial`, archive);
  } catch (err) {
    throw new ImageBuildError(
      `building image ${spec.ref} failed: ${(err as Error).message.split('\n').slice(0, 12).join('\n')}`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return archive;
}

/** Copies a file into the image with a mode, creating its directory. */
export async function put(rootfs: string, dest: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const file = path.join(rootfs, dest);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content, { mode });
}

export async function putTree(rootfs: string, dest: string, src: string): Promise<void> {
  await mkdir(path.join(rootfs, dest), { recursive: true });
  await cp(src, path.join(rootfs, dest), { recursive: true, dereference: true });
}

/** Runs a command inside the unpacked root filesystem (useradd, chown), as a build step. */
export async function inRoot(rootfs: string, cmd: string[]): Promise<void> {
  await sh`chroot ${rootfs} ${cmd}`;
}
