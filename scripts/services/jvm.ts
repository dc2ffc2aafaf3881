// JVM services (Cassandra, Kafka): find a Java 17 and fetch the jar set described by a small pom.xml.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $, glob, which } from 'zx';
import { CACHE_DIR, PrerequisiteError, ensureDir, requireCommand } from './lib.ts';

const JAVA_FIX = 'run `make setup` (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME to a JDK 17';

function javaMajor(bin: string): number | undefined {
  const out = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  if (!m?.[1]) return undefined;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

let javaBin: Promise<string> | undefined;

/**
 * Cassandra 5.0 runs on JDK 11 or 17 (not 21) and Kafka 4 brokers need 17+, so 17 is the one JDK both accept.
 * Looks at JAVA_HOME, then `java` on PATH, then Debian's /usr/lib/jvm.
 */
export function java17(): Promise<string> {
  javaBin ??= (async () => {
    const candidates = [
      process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : undefined,
      which.sync('java', { nothrow: true }) ?? undefined,
      ...(await glob('/usr/lib/jvm/*17*/bin/java')),
    ].filter((c): c is string => !!c && existsSync(c));
    for (const bin of candidates) if (javaMajor(bin) === 17) return bin;
    throw new PrerequisiteError(
      `Java 17 not found (looked at ${candidates.join(', ') || 'JAVA_HOME, PATH'}): ${JAVA_FIX}`,
    );
  })();
  return javaBin;
}

export function requireMaven(): void {
  requireCommand('mvn', 'run `make setup` (apt-get install -y maven)');
}

/** Reads `<property>` from a pom so the version lives in one place. */
export async function pomProperty(pom: string, property: string): Promise<string> {
  const m = new RegExp(`<${property}>([^<]+)</${property}>`).exec(await readFile(pom, 'utf8'));
  if (!m?.[1]) throw new Error(`${pom} has no <${property}>`);
  return m[1].trim();
}

// Maven's local repository is not safe for concurrent writers: run one download at a time.
let mavenQueue: Promise<unknown> = Promise.resolve();

/**
 * Copies the pom's runtime dependencies into ~/.cache/agentstore/<dirName>/lib once; later calls return at once.
 * Downloads into a temp dir and renames it, so an interrupted download is never mistaken for a complete one.
 * The marker file holds the pom's hash: editing the pom (e.g. adding a jar) refreshes the directory.
 */
export async function ensureJars(dirName: string, pom: string, log: (msg: string) => void): Promise<string> {
  const lib = path.join(CACHE_DIR, dirName, 'lib');
  const marker = path.join(lib, '.complete');
  const pomHash = createHash('sha256')
    .update(await readFile(pom))
    .digest('hex');
  if (existsSync(marker) && (await readFile(marker, 'utf8')).trim() === pomHash) return lib;
  const run = mavenQueue.then(async () => {
    const tmp = `${lib}.partial`;
    await rm(tmp, { recursive: true, force: true });
    await ensureDir(path.dirname(lib));
    log(`fetching jars with Maven into ${lib} (once; cached afterwards)`);
    const out = await $({
      nothrow: true,
      quiet: true,
    })`mvn -q -B -f ${pom} dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=${tmp}`;
    if (out.exitCode !== 0) throw new Error(`mvn failed for ${pom}:\n${(out.stdout + out.stderr).trim()}`);
    await rm(lib, { recursive: true, force: true });
    await rename(tmp, lib);
    await writeFile(marker, `${pomHash}\n`);
  });
  mavenQueue = run.catch(() => undefined);
  await run;
  return lib;
}

/** The one jar in lib whose name starts with prefix (e.g. the jamm agent). */
export async function findJar(lib: string, prefix: string): Promise<string> {
  const jar = (await readdir(lib)).find((f) => f.startsWith(prefix) && f.endsWith('.jar'));
  if (!jar) throw new Error(`no ${prefix}*.jar in ${lib}`);
  return path.join(lib, jar);
}
