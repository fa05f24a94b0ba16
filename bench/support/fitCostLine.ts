/** A cost split into what each raffle adds and what a tick pays once whatever its size. */
export interface CostLine {
  perRaffle: number;
  shared: number;
}

/**
 * The line through the smallest and the largest run: its slope is the cost of one more raffle,
 * its intercept the tick's shared overhead (app token, Get Streams, connections, link checks…).
 */
export function fitCostLine(points: readonly { raffles: number; value: number }[]): CostLine {
  const sorted = [...points].sort((left, right) => left.raffles - right.raffles);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined || first.raffles === last.raffles) {
    throw new Error("a cost line needs runs of two different sizes");
  }
  const perRaffle = (last.value - first.value) / (last.raffles - first.raffles);
  return { perRaffle, shared: first.value - perRaffle * first.raffles };
}

/** How many raffles fit in one invocation under `limit`, at this cost line. */
export function countRafflesWithin(limit: number, line: CostLine): number {
  if (line.perRaffle <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.floor((limit - line.shared) / line.perRaffle));
}
