/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight. Workers share one iterator, so
 * a lazy generator is pulled only as fast as the work drains (memory stays flat for 1M items).
 * The first failure stops all workers and is rethrown.
 */
export async function forEachBounded<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const isAsync = Symbol.asyncIterator in items;
  const it: AsyncIterator<T> | Iterator<T> = isAsync
    ? items[Symbol.asyncIterator]()
    : (items as Iterable<T>)[Symbol.iterator]();
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed) {
      // A sync iterator is pulled without an await: one microtask less per item on the seeder's hot path.
      const next = isAsync ? await it.next() : (it as Iterator<T>).next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

/** At most `free` calls of run() in flight; the others wait in arrival order. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async run<R>(f: () => Promise<R>): Promise<R> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * Runs `fn` over groups of phases with at most `concurrency` calls in flight: the items of one
 * phase run concurrently, a group's next phase only after its current one has completed, and up to
 * `concurrency` groups are under way at once (pulled lazily, so memory stays flat). The first
 * failure stops it and is rethrown.
 */
export async function forEachPhased<T>(
  groups: Iterable<readonly (readonly T[])[]>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const slots = new Slots(Math.max(1, concurrency));
  await forEachBounded(groups, concurrency, async (phases) => {
    for (const phase of phases) await Promise.all(phase.map((item) => slots.run(() => fn(item))));
  });
}
