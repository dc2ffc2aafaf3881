/**
 * The seams of the cluster path. The orchestrator talks to Kubernetes and Helm only through these
 * interfaces, so every bad situation (a pod that never gets ready, a FAILED connector, a small
 * node) is unit-tested with fakes; kube-client.ts and helm.ts are the real implementations.
 */
interface ContainerState {
  name: string;
  ready: boolean;
  restarts: number;
  /** e.g. CrashLoopBackOff, ImagePullBackOff; undefined when running or terminated normally. */
  waitingReason?: string;
  /** exit code when terminated */
  exitCode?: number;
}

export interface PodState {
  name: string;
  phase: string;
  ready: boolean;
  labels: Record<string, string>;
  containers: ContainerState[];
  /** The pod's address, once it has one. */
  ip?: string;
}

export interface NodeCapacity {
  name: string;
  /** allocatable CPU in millicores */
  cpuMillis: number;
  /** allocatable memory in bytes */
  memoryBytes: number;
  /** kubelet version, e.g. v1.33.1+k3s1 (k3s is detected from it) */
  kubeletVersion: string;
}

export interface PortForward {
  localPort: number;
  close(): void;
}

export interface JobState {
  succeeded: boolean;
  failed: boolean;
}

export interface Kube {
  /** The current context's name, or null when there is no kubeconfig or no current context. */
  currentContext(): string | null;
  /** The API server's version (e.g. v1.33.1); rejects when it cannot be reached. */
  serverVersion(): Promise<string>;
  nodes(): Promise<NodeCapacity[]>;
  listPods(namespace: string, labelSelector?: string): Promise<PodState[]>;
  /** Calls onChange with the namespace's pods after every change; the returned function stops it. */
  watchPods(namespace: string, onChange: (pods: PodState[]) => void): Promise<() => void>;
  logs(namespace: string, pod: string, container?: string, tailLines?: number): Promise<string>;
  portForward(namespace: string, pod: string, port: number): Promise<PortForward>;
  /** Creates (or replaces) a Job from a manifest object. */
  createJob(namespace: string, manifest: Record<string, unknown>): Promise<void>;
  jobState(namespace: string, name: string): Promise<JobState | null>;
  /** Events about one object (a pod), oldest first, as one line each. */
  events(namespace: string, name: string): Promise<string[]>;
  deletePod(namespace: string, name: string): Promise<void>;
  createPod(namespace: string, manifest: Record<string, unknown>): Promise<void>;
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the helm binary (upgrade --install, test, status, version). */
export interface Helm {
  readonly binary: string;
  /** An abort kills helm (a wait that failed on our side must not leave it running on its own). */
  run(args: string[], onLine?: (line: string) => void, signal?: AbortSignal): Promise<ProcessResult>;
}

/** Probes of the machine: which tools exist, whether docker answers, a kernel setting. */
export interface Host {
  which(tool: string): Promise<string | null>;
  exec(file: string, args: string[], timeoutMs?: number): Promise<ProcessResult>;
  readFile(path: string): Promise<string | null>;
  platform(): string;
  /** The effective user id (0 is root); -1 where there are no uids. */
  uid(): number;
}
