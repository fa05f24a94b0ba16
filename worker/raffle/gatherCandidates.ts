import { readChatterSample, writeChatters } from "../cache/chatterCache";
import type { AppContext } from "../context";
import type { Candidate } from "../db/draws";
import { callWithUserToken } from "../twitch/userTokens";
import { candidateSampleSize } from "./drawWinner";

export interface CandidateSource {
  candidates: Candidate[];
  /** Whether the sample came from the Redis cache (no Twitch call this minute). */
  fromCache: boolean;
  chatterCount: number;
}

/**
 * The chat of a live channel: from Redis when a fresh list is cached there, else from Get
 * Chatters (all pages), which then refreshes the cache. Redis is a cache: when it fails, the
 * tick still draws from Twitch's answer.
 */
export async function gatherCandidates(
  app: AppContext,
  guildId: string,
  broadcasterId: string,
): Promise<CandidateSource> {
  try {
    const cached = await readChatterSample(app.redis, broadcasterId, candidateSampleSize);
    if (cached) return { candidates: cached.sample, fromCache: true, chatterCount: cached.total };
  } catch (error) {
    app.log.warn("chatter cache unavailable; asking Twitch", { error: String(error), guildId });
  }
  const chatters = await callWithUserToken(app, guildId, (helix, link) =>
    helix.getChatters(broadcasterId, link.twitchUserId),
  );
  const candidates = chatters.map((chatter) => ({ id: chatter.id, login: chatter.login, name: chatter.displayName }));
  try {
    await writeChatters(app.redis, broadcasterId, candidates);
  } catch (error) {
    app.log.warn("could not cache chatters", { error: String(error), guildId });
  }
  return { candidates, fromCache: false, chatterCount: candidates.length };
}
