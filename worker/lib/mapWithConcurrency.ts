/**
 * Outside calls one invocation keeps in flight at once. Workers allow six open connections per
 * invocation; four leaves room for the database socket and Redis.
 */
export const outsideCallConcurrency = 4;

/**
 * Runs `work` over the items with at most `limit` in flight (Workers allow six open
 * connections per invocation), keeping results in input order.
 */
export async function mapWithConcurrency<Item, Result>(
  items: readonly Item[],
  limit: number,
  work: (item: Item, index: number) => Promise<Result>,
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as Item, index);
    }
  });
  await Promise.all(runners);
  return results;
}
