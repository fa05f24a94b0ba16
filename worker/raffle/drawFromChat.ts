import type { AppContext } from "../context";
import { type AtomicDrawResult, type Candidate, drawAtomically } from "../db/draws";
import { createRandomWords, cryptoRandom, type RandomSource, sampleWithoutReplacement } from "./randomness";

/**
 * Candidates passed to make_raffle per draw. They are a uniform random sample of the chat,
 * so the winner stays uniform among the eligible while the database's work stays the same
 * for a 50-viewer and a 100,000-viewer chat.
 */
export const candidateSampleSize = 500;
const randomWordCount = 4;

/**
 * One atomic draw of a winner and an item for a raffle slot from the given chatters: a uniform
 * sample of them and fresh random words go to make_raffle (db/draws.ts drawAtomically).
 */
export async function drawFromChat(
  app: AppContext,
  input: {
    raffleId: string;
    slotAt: number;
    kind: "scheduled" | "manual";
    chatters: readonly Candidate[];
    random?: RandomSource;
  },
): Promise<AtomicDrawResult> {
  const random = input.random ?? cryptoRandom;
  const candidates = sampleWithoutReplacement(input.chatters, candidateSampleSize, random);
  for (let attempt = 0; ; attempt += 1) {
    const result = await drawAtomically(app.database, {
      raffleId: input.raffleId,
      slotAt: input.slotAt,
      kind: input.kind,
      candidates,
      randomWords: createRandomWords(randomWordCount, random),
    });
    // Every word rejected has a probability below 2^-70: one retry with fresh words settles it.
    if (result.outcome !== "need_randomness" || attempt > 0) return result;
  }
}
