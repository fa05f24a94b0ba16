import { gateFactBucketSeconds } from "../../worker/cache/gateFacts";
import { gateLookupCallsPerSlot } from "../../worker/raffle/applyGates";
import { candidateSampleSize } from "../../worker/raffle/drawSlots";
import { createSeededRandom } from "./createSeededRandom";

/** How the followers gate's knowledge of a chat grows, under the Worker's rules, minute by minute. */
export interface FollowerLookupModel {
  chatSize: number;
  followerShare: number;
  /** The slot's sample: min(chat, 500). */
  sampleSize: number;
  /** sample / lookups per minute: the minutes a fixed sample would need if nothing expired. */
  idealMinutes: number;
  /** The first minute whose whole sample was known before its lookups (undefined: not within `horizonMinutes`). */
  firstFullyKnownMinute: number | undefined;
  /** Over the last two hours of the horizon: the share of each slot's sample known before its lookups. */
  steadyKnownShare: number;
  /** …and the followers among them, who can win: eligible per slot. */
  steadyEligible: number;
  horizonMinutes: number;
}

/**
 * A model of raffle/applyGates.ts for a followers-only raffle drawing every minute: each minute a
 * fresh uniform sample of min(chat, 500) viewers, the unknown ones in sample order asked about
 * (Get Channel Followers, one viewer a call, `gateLookupCallsPerSlot` calls: a channel of more than
 * 400 followers), each answer kept at least 3 h (one bucket of cache/gateFacts.ts), following or not. The chat does not
 * change and nobody follows meanwhile (no `channel.follow` events). Deterministic (seeded).
 */
export function simulateFollowerLookups(
  chatSize: number,
  followerShare: number,
  horizonMinutes = 24 * 60,
): FollowerLookupModel {
  const random = createSeededRandom(chatSize);
  const follows = Array.from({ length: chatSize }, (_, index) => index < Math.round(chatSize * followerShare));
  const knownUntil = new Float64Array(chatSize).fill(-1);
  const sampleSize = Math.min(candidateSampleSize, chatSize);
  // A follow fact is kept one to two 3-hour buckets (cache/gateFacts.ts), "not following" too:
  // the model keeps the shorter, one bucket.
  const followMinutes = gateFactBucketSeconds.follow / 60;
  const notFollowingMinutes = gateFactBucketSeconds.follow / 60;
  let firstFullyKnownMinute: number | undefined;
  let steadyKnown = 0;
  let steadyEligible = 0;
  let steadySlots = 0;
  for (let minute = 1; minute <= horizonMinutes; minute += 1) {
    const sample = sampleIndexes(chatSize, sampleSize, random);
    const unknown = sample.filter((viewer) => (knownUntil[viewer] ?? -1) < minute);
    if (unknown.length === 0) firstFullyKnownMinute ??= minute;
    if (minute > horizonMinutes - 120) {
      steadySlots += 1;
      steadyKnown += (sampleSize - unknown.length) / sampleSize;
      steadyEligible += sample.filter((viewer) => (knownUntil[viewer] ?? -1) >= minute && follows[viewer]).length;
    }
    for (const viewer of unknown.slice(0, gateLookupCallsPerSlot)) {
      knownUntil[viewer] = minute + (follows[viewer] ? followMinutes : notFollowingMinutes);
    }
  }
  return {
    chatSize,
    followerShare,
    sampleSize,
    idealMinutes: Math.ceil(sampleSize / gateLookupCallsPerSlot),
    firstFullyKnownMinute,
    steadyKnownShare: steadyKnown / steadySlots,
    steadyEligible: steadyEligible / steadySlots,
    horizonMinutes,
  };
}

/** `size` distinct indexes of 0…count−1, uniformly (partial Fisher–Yates). */
function sampleIndexes(count: number, size: number, random: () => number): number[] {
  const pool = Array.from({ length: count }, (_, index) => index);
  for (let position = 0; position < size; position += 1) {
    const pick = position + Math.floor(random() * (count - position));
    [pool[position], pool[pick]] = [pool[pick] as number, pool[position] as number];
  }
  return pool.slice(0, size);
}
