/**
 * An open-loop run: every operation has an intended start on a fixed-rate clock and its latency is
 * measured from that intended start, not from when it actually began. A slow operation therefore
 * shows up in the figures of everything queued behind it (no coordinated omission), whereas a
 * closed loop would simply send less and report the server as fast.
 */
export interface Operation {
  /** Operations with the same chain run one after another (a session's commands). */
  chain: string;
  go(): Promise<unknown>;
}

export interface Timed {
  /** Index into the operations given. */
  index: number;
  /** From the intended start to the end, ms. */
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `operations` at `ratePerSec`, in the order given; fails on the first error or after `deadlineMs`. */
export async function openLoop(
  operations: readonly Operation[],
  ratePerSec: number,
  deadlineMs: number,
): Promise<Timed[]> {
  const timed: Timed[] = [];
  const chains = new Map<string, Promise<void>>();
  let failure: unknown;
  const t0 = performance.now() + 20;
  for (let i = 0; i < operations.length && failure === undefined; i++) {
    const intended = t0 + (i * 1000) / ratePerSec;
    const wait = intended - performance.now();
    if (wait > 0) await sleep(wait);
    if (performance.now() - t0 > deadlineMs) throw new Error(`write-path run exceeded its ${deadlineMs} ms deadline`);
    const op = operations[i]!;
    const next = (chains.get(op.chain) ?? Promise.resolve()).then(async () => {
      try {
        await op.go();
        timed.push({ index: i, ms: performance.now() - intended });
      } catch (err) {
        failure ??= err;
      }
    });
    chains.set(op.chain, next);
  }
  let timer: NodeJS.Timeout | undefined;
  const left = Math.max(1000, deadlineMs - (performance.now() - t0));
  await Promise.race([
    Promise.all(chains.values()),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`write-path run exceeded its ${deadlineMs} ms deadline`)), left);
    }),
  ]).finally(() => clearTimeout(timer));
  if (failure !== undefined) throw failure;
  return timed;
}
