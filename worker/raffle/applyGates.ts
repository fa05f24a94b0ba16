import { type GateFact, type GateFactsRead, type LearnedFact, readGateFacts, writeGateFacts } from "../cache/gateFacts";
import type { AppContext } from "../context";
import type { Candidate } from "../db/draws";
import type { TwitchLink } from "../db/twitchLinks";
import { type GateFailureReason, type GateName, listGates, type RaffleGates } from "../domain/gates";
import type { HelixClient } from "../twitch/HelixClient";
import { gateScopes } from "../twitch/scopes";
import { TwitchApiError } from "../twitch/TwitchApiError";
import { callWithUserToken } from "./twitchAccess";

/**
 * Helix calls one slot may spend on its gates' questions, all gates together: 4 calls check 400
 * account ages or subscriptions, a follower list of 400, or 4 follows one by one. What is asked is
 * remembered (cache/gateFacts.ts), so a warm slot asks nothing; a big chat is learned a sample at
 * a time (bench/README.md models how fast). A gated raffle costs at most 4 + 2 Redis round trips
 * more than an ungated one (bench/tick.ts measures it), and the tick counts it as
 * `gatedRaffleWeight` raffles when deciding to fan out.
 */
export const gateLookupCallsPerSlot = 4;

/** How many ungated raffles a gated one weighs in the tick's fan-out decision (3.1 + 6 ≈ 3 × 3.1). */
export const gatedRaffleWeight = 3;

export interface GatedRaffle {
  guildId: string;
  twitchBroadcasterId: string;
  gates: RaffleGates;
  link?: TwitchLink;
  /** The channel's `channel.chat.message` subscription is enabled (the chat gate's only source). */
  chatPushed: boolean;
}

export type GateOutcome =
  /**
   * `passed`: the candidates every gate let through, in the order given. `unchecked`: those left
   * out because they are not known yet (beyond this slot's lookups; they sit out this slot and are
   * asked about in the next ones). `emptiedBy`: the gate after which nobody was left.
   */
  | { kind: "checked"; passed: Candidate[]; unchecked: number; emptiedBy: GateName | undefined }
  /**
   * A gate could not be checked: Twitch failed (`status`: a 5xx, a 429, or a refusal such as 403),
   * the link lacks the gate's scope, or, for the chat gate, Redis is down or Twitch is not sending
   * the channel's chat messages. The slot is skipped: never drawn as if ungated.
   */
  | { kind: "failed"; gate: GateName; reason: GateFailureReason; status: number | null };

const factOfGate: Record<GateName, GateFact> = {
  active: "chat",
  account_age: "created",
  subscribers: "sub",
  followers: "follow",
};

/** A slot's Twitch calls left, and what it learned of the channel's follower count. */
interface Lookups {
  callsLeft: number;
  followerTotal: number | undefined;
  /** The follower list was read this slot (its total is then remembered). */
  listed: boolean;
}

/** The link no longer has a gate's scope (re-linked without it after the raffle started). */
class GateScopeMissingError extends Error {}

/**
 * The candidates who pass the raffle's gates (raffle/gates.ts), checked cheapest first against the
 * facts cached in Redis, asking Twitch (as the linked streamer) about unknown viewers within
 * `gateLookupCallsPerSlot` calls, and remembering the answers. The candidates are a uniform
 * sample of the chat, so the viewers who pass are a uniform sample of those who pass.
 * A link needing re-authorization throws, as for Get Chatters (raffle/makeDraw.ts decides).
 */
export async function applyGates(
  app: AppContext,
  raffle: GatedRaffle,
  candidates: readonly Candidate[],
): Promise<GateOutcome> {
  const gates = listGates(raffle.gates);
  if (gates.length === 0) return { kind: "checked", passed: [...candidates], unchecked: 0, emptiedBy: undefined };
  const log = app.log.child({ guildId: raffle.guildId });
  const broadcasterId = raffle.twitchBroadcasterId;
  const now = app.now();
  if (gates.includes("active")) {
    // Without the subscription nobody would seem to have chatted: say why instead.
    if (raffle.link && gateScopes.active.some((scope) => !raffle.link?.scopes.includes(scope)))
      return { kind: "failed", gate: "active", reason: "scope", status: null };
    if (!raffle.chatPushed) return { kind: "failed", gate: "active", reason: "subscription", status: null };
  }
  let known: GateFactsRead;
  try {
    known = await readGateFacts(
      app.redis,
      broadcasterId,
      gates.map((gate) => factOfGate[gate]),
      candidates.map((candidate) => candidate.id),
      now,
    );
  } catch (error) {
    // The last chat lives only in Redis: without it the chat gate cannot be checked.
    if (gates.includes("active")) {
      log.warn("gate facts unavailable; skipping the slot", { error });
      return { kind: "failed", gate: "active", reason: "cache", status: null };
    }
    log.warn("gate facts unavailable; asking Twitch", { error });
    known = { values: new Map(gates.map((gate) => [factOfGate[gate], new Map()])), followerTotal: undefined };
  }

  const learned: LearnedFact[] = [];
  const lookups: Lookups = { callsLeft: gateLookupCallsPerSlot, followerTotal: known.followerTotal, listed: false };
  let survivors = [...candidates];
  let unchecked = 0;
  let emptiedBy: GateName | undefined;
  let failure: GateOutcome | undefined;
  for (const gate of gates) {
    const values = known.values.get(factOfGate[gate]) as Map<string, number>;
    // The broadcaster never wins (read_draw_entrants): nothing to ask about them.
    const unknown =
      gate === "active"
        ? []
        : survivors.filter((candidate) => !values.has(candidate.id) && candidate.id !== broadcasterId);
    try {
      await lookUp(app, raffle, gate, unknown, values, learned, lookups);
    } catch (error) {
      if (error instanceof GateScopeMissingError) failure = { kind: "failed", gate, reason: "scope", status: null };
      else if (error instanceof TwitchApiError)
        failure = { kind: "failed", gate, reason: "twitch", status: error.status };
      else throw error;
      log.warn("a gate could not be checked; skipping the slot", {
        gate,
        reason: failure.reason,
        status: failure.status,
      });
      break;
    }
    const before = survivors.length;
    survivors = survivors.filter((candidate) => {
      const value = values.get(candidate.id);
      if (value === undefined && gate !== "active" && candidate.id !== broadcasterId) unchecked += 1;
      return value !== undefined && passes(raffle.gates, gate, value, now);
    });
    if (before > 0 && survivors.length === 0) emptiedBy ??= gate;
  }

  try {
    await writeGateFacts(
      app.redis,
      learned,
      now,
      lookups.listed && lookups.followerTotal !== undefined
        ? { broadcasterId, total: lookups.followerTotal }
        : undefined,
    );
  } catch (error) {
    log.warn("could not cache gate facts", { error });
  }
  if (failure) return failure;
  return { kind: "checked", passed: survivors, unchecked, emptiedBy };
}

function passes(gates: RaffleGates, gate: GateName, value: number, now: number): boolean {
  switch (gate) {
    case "active":
      // A message after `now` (a replayed minute) counts as recent.
      return value >= now - gates.activeMinutes * 60_000;
    case "account_age":
      return value > 0 && now - value >= gates.minAccountDays * 86_400_000;
    case "subscribers":
      return value === 1;
    case "followers":
      return value > 0 && (gates.minFollowMinutes === 0 || now - value >= gates.minFollowMinutes * 60_000);
  }
}

/**
 * Asks Twitch about `unknown` viewers for one gate, within the slot's calls left, and records the
 * answers in `values` and `learned`: Get Users and Get Broadcaster Subscriptions by 100 ids, Get
 * Channel Followers one viewer per call.
 */
async function lookUp(
  app: AppContext,
  raffle: GatedRaffle,
  gate: GateName,
  asked: readonly Candidate[],
  values: Map<string, number>,
  learned: LearnedFact[],
  lookups: Lookups,
): Promise<void> {
  let unknown = asked;
  if (unknown.length === 0 || lookups.callsLeft === 0 || gate === "active") return;
  const broadcasterId = raffle.twitchBroadcasterId;
  const learn = (viewerId: string, value: number, remember = true) => {
    if (values.get(viewerId) === value) return; // known already (a follower listed again)
    values.set(viewerId, value);
    if (remember) learned.push({ fact: factOfGate[gate], broadcasterId, viewerId, value });
  };
  // The whole follower list is cheaper than one call per viewer when it fits in the calls left; a
  // channel known to have more followers is asked viewer by viewer (its newest page, read again,
  // would teach nothing new).
  const listFits = lookups.followerTotal === undefined || lookups.followerTotal <= lookups.callsLeft * 100;
  if (gate === "followers" && unknown.length > lookups.callsLeft && listFits) {
    await callWithUserToken(
      app,
      raffle.guildId,
      async (helix: HelixClient, link: TwitchLink) => {
        if (gateScopes[gate].some((scope) => !link.scopes.includes(scope))) throw new GateScopeMissingError(gate);
        await listFollowers(helix, broadcasterId, unknown, values, learn, lookups);
      },
      raffle.link,
    );
    unknown = unknown.filter((candidate) => !values.has(candidate.id));
  }
  const batchSize = gate === "followers" ? 1 : 100;
  const batches: string[][] = [];
  for (let start = 0; start < unknown.length && batches.length < lookups.callsLeft; start += batchSize) {
    batches.push(unknown.slice(start, start + batchSize).map((candidate) => candidate.id));
  }
  await callWithUserToken(
    app,
    raffle.guildId,
    async (helix: HelixClient, link: TwitchLink) => {
      if (gateScopes[gate].some((scope) => !link.scopes.includes(scope))) throw new GateScopeMissingError(gate);
      for (const ids of batches) {
        if (values.has(ids[0] as string)) continue; // answered before a 401 retry
        lookups.callsLeft -= 1;
        if (gate === "account_age") {
          const createdAt = new Map((await helix.getUsers({ ids })).map((user) => [user.id, user.createdAt]));
          // An account Get Users does not return (suspended, deleted) fails the gate in this slot
          // (0), and is not remembered: it is asked about again, 100 to a call.
          for (const id of ids) learn(id, createdAt.get(id) ?? 0, createdAt.get(id) !== undefined);
        } else if (gate === "subscribers") {
          const subscribers = await helix.getSubscriberIds(broadcasterId, ids);
          for (const id of ids) learn(id, subscribers.has(id) ? 1 : 0);
        } else {
          const id = ids[0] as string;
          learn(id, (await helix.getFollowedAt(broadcasterId, id)) ?? 0);
        }
      }
    },
    raffle.link,
  );
}

/**
 * More unknown viewers than follow lookups left: the channel's follower list instead, 100 per
 * call, newest first. Every follower listed is learned (new followers, the likeliest to be in
 * chat, come first); when the whole list fits in the calls left, every unknown viewer not in it is
 * learned as not following. A channel of up to 400 followers is then known in one slot.
 */
async function listFollowers(
  helix: HelixClient,
  broadcasterId: string,
  unknown: readonly Candidate[],
  values: Map<string, number>,
  learn: (viewerId: string, value: number) => void,
  lookups: Lookups,
): Promise<void> {
  let cursor: string | undefined;
  let complete = false;
  do {
    lookups.callsLeft -= 1;
    const page = await helix.getFollowersPage(broadcasterId, cursor);
    lookups.followerTotal = page.total;
    lookups.listed = true;
    for (const follow of page.follows) if (follow.followedAt > 0) learn(follow.userId, follow.followedAt);
    cursor = page.cursor;
    complete = cursor === undefined;
    // Too many followers to list within this slot's calls: keep what was learned, ask one by one later.
    if (page.total > (lookups.callsLeft + 1) * 100) break;
  } while (!complete && lookups.callsLeft > 0);
  if (!complete) return;
  for (const candidate of unknown) if (!values.has(candidate.id)) learn(candidate.id, 0);
}
