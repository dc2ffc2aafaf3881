/**
 * A network namespace of the test's own, with only a loopback: a second copy of the local services can
 * bind their fixed ports there without meeting the ones `make test` runs, and nothing leaves it. Needs
 * root (`ip netns add`). Processes enter it with nsenter, not `ip netns exec`: the latter remounts /sys,
 * which leaves /sys/fs/cgroup empty on a cgroup-v1 host.
 */
import { randomBytes } from 'node:crypto';
import { $ } from 'zx';

export interface Netns {
  name: string;
  /** argv prefix that runs a command inside the namespace */
  enter: string[];
  remove(): Promise<void>;
}

export async function createNetns(prefix = 'agentstore-t'): Promise<Netns> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await $({ quiet: true })`ip netns add ${name}`;
  try {
    await $({ quiet: true })`ip -n ${name} link set lo up`;
  } catch (err) {
    await $({ quiet: true, nothrow: true })`ip netns delete ${name}`;
    throw err;
  }
  return {
    name,
    enter: ['nsenter', `--net=/run/netns/${name}`],
    remove: async () => {
      await $({ quiet: true, nothrow: true })`ip netns delete ${name}`;
    },
  };
}
