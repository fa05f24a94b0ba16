/**
 * Undoes started things newest first, going on past a step that fails, then reports every
 * failure at once: a stop that gives up halfway leaves processes and databases behind.
 */
export async function runInReverse(steps: readonly (() => Promise<void>)[], what: string): Promise<void> {
  const failures: unknown[] = [];
  for (const step of [...steps].reverse()) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} ${what} did not stop cleanly`);
}
