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
