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

/** Fisher–Yates over a copy, each swap index drawn without bias. */
export function shuffle<Item>(items: readonly Item[], random: RandomSource = cryptoRandom): Item[] {
  const shuffled = [...items];
  for (let index = shuffled.length - 1; index > 0; index -= 1) {
    const other = pickIndex(index + 1, random);
    [shuffled[index], shuffled[other]] = [shuffled[other] as Item, shuffled[index] as Item];
  }
  return shuffled;
}

/** Words uniform in [0, 2^48) for make_raffle's item roll (exact as JavaScript numbers). */
export function createRandomWords(count: number, random: RandomSource = cryptoRandom): number[] {
  const raw = random.fill(new Uint32Array(count * 2));
  const words: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const high = (raw[index * 2] ?? 0) & 0xffff;
    const low = raw[index * 2 + 1] ?? 0;
    words.push(high * 2 ** 32 + low);
  }
  return words;
}
