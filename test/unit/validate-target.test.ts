import { describe, expect, it } from 'vitest';
import { selectTarget } from '../../src/validate/target.ts';
import { FakeHost, FakeKube } from '../../src/validate/testing/fakes.ts';
import { ValidateFailure } from '../../src/validate/types.ts';

function deps(setup: (k: FakeKube, h: FakeHost) => void = () => {}, forced?: string, noKubeconfig = false) {
  const kube = new FakeKube();
  const host = new FakeHost();
  setup(kube, host);
  return { kube: () => (noKubeconfig ? null : kube), host, forced, timeoutMs: 100 };
}
const dockerAndKind = (_k: FakeKube, h: FakeHost) => {
  h.tools['docker'] = '/fake/docker';
  h.tools['kind'] = '/fake/kind';
  h.execs['/fake/docker info'] = { code: 0, stdout: '27.3.1\n', stderr: '' };
};
const unreachable = (k: FakeKube) => {
  k.version = new Error('connect ECONNREFUSED 127.0.0.1:6443');
};

describe('target selection: reachable context -> kind -> local', () => {
  it('a reachable context wins, with values/kind.yaml', async () => {
    const t = await selectTarget(deps());
    expect(t).toMatchObject({ kind: 'cluster', context: 'kind-agentstore', valuesFile: 'values/kind.yaml' });
    expect(t.reasons[0]).toBe('kube context "kind-agentstore" reachable (Kubernetes v1.33.1)');
  });

  it('detects k3s from the kubelet version and picks values/k3s.yaml', async () => {
    const t = await selectTarget(
      deps((k) => {
        k.nodeList = [{ name: 'n', cpuMillis: 4000, memoryBytes: 2 ** 33, kubeletVersion: 'v1.33.3+k3s1' }];
      }),
    );
    expect(t.valuesFile).toBe('values/k3s.yaml');
    expect(t.reasons[0]).toContain('k3s detected');
  });

  it('an unreachable context falls to kind when docker answers and kind is installed', async () => {
    const t = await selectTarget(
      deps((k, h) => {
        unreachable(k);
        dockerAndKind(k, h);
      }),
    );
    expect(t).toMatchObject({ kind: 'kind', context: 'kind-agentstore' });
    expect(t.reasons).toEqual([
      'kube context "kind-agentstore" not reachable: connect ECONNREFUSED 127.0.0.1:6443',
      'docker 27.3.1 and kind found: cluster "agentstore" from scripts/kind/cluster.yaml',
    ]);
  });

  it('a context that never answers counts as unreachable (timeout)', async () => {
    const t = await selectTarget(
      deps((k) => {
        k.serverVersion = () => new Promise(() => {});
      }),
    );
    expect(t.kind).toBe('local');
    expect(t.reasons[0]).toContain('no answer in 0.1 s');
  });

  it('no kubeconfig, docker without a daemon: local mode, every reason stated', async () => {
    const t = await selectTarget(
      deps(
        (k, h) => {
          dockerAndKind(k, h);
          h.execs['/fake/docker info'] = {
            code: 1,
            stdout: '',
            stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock',
          };
        },
        undefined,
        true,
      ),
    );
    expect(t.kind).toBe('local');
    expect(t.reasons).toEqual([
      'no current kube context (no kubeconfig, or no current-context in it)',
      'kind not usable: docker is installed but its daemon does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock)',
      'sandbox cluster not usable: needs root, overlayfs, cgroup v1 memory controller',
      'falling back to local mode on the services from `make services-up`',
    ]);
  });

  const sandboxHost = (_k: FakeKube, h: FakeHost) => {
    h.user = 0;
    h.files['/proc/filesystems'] = 'nodev\ttmpfs\nnodev\toverlay\n';
    h.files['/sys/fs/cgroup/memory/memory.limit_in_bytes'] = '9223372036854771712\n';
  };

  it('no context and no kind, but root on Linux with overlayfs and cgroup v1: the sandbox cluster', async () => {
    const t = await selectTarget(deps(sandboxHost, undefined, true));
    expect(t).toMatchObject({ kind: 'sandbox', context: 'agentstore-sandbox', valuesFile: 'values/sandbox.yaml' });
    expect(t.reasons.at(-1)).toContain('the sandbox cluster (scripts/cluster) can run here');
  });

  it('a reachable context still wins over the sandbox', async () => {
    expect((await selectTarget(deps(sandboxHost))).kind).toBe('cluster');
  });

  it('VALIDATE_TARGET=sandbox where it cannot run: names what is missing', async () => {
    const err = await selectTarget(
      deps((_k, h) => {
        h.os = 'darwin';
      }, 'sandbox'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidateFailure);
    expect((err as ValidateFailure).reason).toBe(
      'sandbox cluster not usable: needs Linux, root, overlayfs, cgroup v1 memory controller',
    );
  });

  it('VALIDATE_TARGET=local skips the probes', async () => {
    expect(await selectTarget(deps(unreachable, 'local'))).toEqual({
      kind: 'local',
      reasons: ['VALIDATE_TARGET=local'],
    });
  });

  it('VALIDATE_TARGET=kind without kind: names the missing tool and how to install it', async () => {
    const err = await selectTarget(
      deps((k, h) => {
        unreachable(k);
        h.tools['docker'] = '/fake/docker';
      }, 'kind'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidateFailure);
    expect((err as ValidateFailure).reason).toBe('kind not usable: kind not installed');
    expect((err as ValidateFailure).nextStep).toContain('go install sigs.k8s.io/kind@');
  });

  it('VALIDATE_TARGET=cluster with an unreachable cluster: names the error and the next step', async () => {
    const err = (await selectTarget(deps(unreachable, 'cluster')).catch((e: unknown) => e)) as ValidateFailure;
    expect(err.reason).toContain(
      'no reachable cluster: kube context "kind-agentstore" not reachable: connect ECONNREFUSED',
    );
    expect(err.nextStep).toContain('kubectl cluster-info');
  });

  it('an unknown VALIDATE_TARGET is a usage error (exit 2)', async () => {
    const err = (await selectTarget(deps(() => {}, 'minikube')).catch((e: unknown) => e)) as ValidateFailure;
    expect(err.exitCode).toBe(2);
    expect(err.reason).toContain('VALIDATE_TARGET="minikube"');
  });
});
