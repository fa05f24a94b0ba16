/**
 * The one source of randomness for draws: crypto.getRandomValues, reduced without bias; never
 * the language's built-in pseudo-random generator, which is neither unpredictable nor fair.
 */
export interface RandomSource {
  /** Fills the array with uniform random 32-bit words. */
  fill(words: Uint32Array): Uint32Array;
}

export const cryptoRandom: RandomSource = { fill: (words) => crypto.getRandomValues(words) };

/** Uniform integer in [0, bound) by rejection sampling: no modulo bias. `bound` ≤ 2^32. */
export function pickIndex(bound: number, random: RandomSource = cryptoRandom): number {
  if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError(`bad bound ${bound}`);
  const limit = 2 ** 32 - (2 ** 32 % bound);
  const word = new Uint32Array(1);
  for (;;) {
    random.fill(word);
    const value = word[0] ?? 0;
    if (value < limit) return value % bound;
  }
}

/**
 * A uniform random sample of `count` items without replacement, in random order: a partial
 * Fisher–Yates that stops after `count` swaps, each swap index drawn without bias (pickIndex).
 * Every ordered sample of `count` distinct items is equally likely, exactly as with a full
 * shuffle followed by `slice(0, count)`, yet a 100,000-viewer chat costs `count` random draws
 * and `count` steps, not 100,000: the input is never copied, and the positions a swap has
 * changed are kept in a map.
 */
export function sampleWithoutReplacement<Item>(
  items: readonly Item[],
  count: number,
  random: RandomSource = cryptoRandom,
): Item[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`bad sample size ${count}`);
  const taken = Math.min(count, items.length);
  const moved = new Map<number, Item>();
  const itemAt = (position: number): Item => (moved.has(position) ? moved.get(position) : items[position]) as Item;
  const sample: Item[] = [];
  for (let index = 0; index < taken; index += 1) {
    // Swap position `index` with a uniform position in [index, length): the swapped-in item is
    // the next one of the sample; the one it displaced stays in the pool at `other`.
    const other = index + pickIndex(items.length - index, random);
    sample.push(itemAt(other));
    moved.set(other, itemAt(index));
  }
  return sample;
}
