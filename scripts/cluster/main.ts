// The sandbox cluster: a real single-node Kubernetes inside its own network namespace, built here from the Go
// module proxy, Debian and npm (docs/sandbox-cluster.md).
//   tsx scripts/cluster/main.ts up [--no-policies] [--report f.json]   build what is missing, start or repair,
//                                                    wait until ready (phase times also to f.json)
//   tsx scripts/cluster/main.ts down                 stop what up started, remove what it made, restore sysctls
//   tsx scripts/cluster/main.ts status               one line per part; exit 1 unless all run and answer
//   tsx scripts/cluster/main.ts exec -- <cmd...>     run a client (kubectl, helm, a test) inside the netns
// Exit 2 on a missing prerequisite, 1 on any other failure.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PrerequisiteError } from '../services/lib.ts';
import { BuildError } from './build.ts';
import { ClusterError, down, status, up } from './cluster.ts';
import { ImageBuildError } from './images/oci.ts';
import { TOOLS_BIN } from './kubectl.ts';
import { KUBECONFIG, NETNS } from './layout.ts';
import { phaseTimes, printPhaseTimes } from './phases.ts';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const t0 = Date.now();
  switch (command) {
    case 'up': {
      const report = rest.includes('--report') ? rest[rest.indexOf('--report') + 1] : undefined;
      try {
        await up({ policies: !rest.includes('--no-policies') });
      } finally {
        printPhaseTimes(`up phases (total ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        if (report) {
          await mkdir(path.dirname(report), { recursive: true });
          await writeFile(report, JSON.stringify(phaseTimes(), null, 2));
        }
      }
      return 0;
    }
    case 'down':
      try {
        await down();
      } finally {
        printPhaseTimes(`down phases (total ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
      return 0;
    case 'status': {
      const s = await status();
      for (const l of s.lines) console.log(l.line);
      console.log(`cluster memory (daemons + pods + shims): ${s.rssMiB} MiB resident`);
      return s.lines.every((l) => l.ok) ? 0 : 1;
    }
    case 'exec': {
      const cmd = rest[0] === '--' ? rest.slice(1) : rest;
      if (cmd.length === 0) throw new PrerequisiteError('usage: main.ts exec -- <command> [args...]');
      const r = spawnSync('ip', ['netns', 'exec', NETNS, ...cmd], {
        stdio: 'inherit',
        env: { ...process.env, KUBECONFIG, PATH: `${TOOLS_BIN}:${process.env.PATH ?? ''}` },
      });
      return r.status ?? 1;
    }
    default:
      throw new PrerequisiteError('usage: main.ts <up [--no-policies]|down|status|exec -- <cmd...>>');
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known =
      err instanceof PrerequisiteError ||
      err instanceof BuildError ||
      err instanceof ImageBuildError ||
      err instanceof ClusterError;
    console.error(
      `[cluster] ${known ? '' : 'unexpected error: '}${err instanceof Error ? (known ? err.message : err.stack) : String(err)}`,
    );
    process.exit(err instanceof PrerequisiteError ? 2 : 1);
  },
);
