/**
 * Runs `work` over `items` with at most `limit` running at once, in the items' order of start;
 * resolves when all have settled. `work` handles its own failures (a rejection fails the whole).
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
