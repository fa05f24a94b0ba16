import { type CachedSample, readChatterSamples, writeChatters } from "../cache/chatterCache";
import type { AppContext } from "../context";
import type { Candidate } from "../db/draws";
import type { TwitchLink } from "../db/twitchLinks";
import { callWithUserToken } from "../twitch/userTokens";
import { candidateSampleSize } from "./drawWinner";

/**
 * The cached chat samples of many broadcasters in one Redis round trip. Redis is a cache: when
 * it fails, every raffle asks Twitch instead.
 */
export async function readCachedSamples(app: AppContext, broadcasterIds: string[]): Promise<Map<string, CachedSample>> {
  if (broadcasterIds.length === 0) return new Map();
  try {
    return await readChatterSamples(app.redis, broadcasterIds, candidateSampleSize, app.now());
  } catch (error) {
    app.log.warn("chatter cache unavailable; asking Twitch", { error });
    return new Map();
  }
}

/**
 * The chat of a live channel: the sample cached in Redis when there is a fresh one, else Get
 * Chatters (at most `maximumChatterPages` pages, what one invocation's subrequest budget
 * allows: worker/lib/subrequestBudget.ts), which then refreshes the cache.
 */
export async function gatherCandidates(
  app: AppContext,
  raffle: { guildId: string; twitchBroadcasterId: string; link: TwitchLink },
  cached: CachedSample | undefined,
): Promise<Candidate[]> {
  const { guildId, twitchBroadcasterId: broadcasterId } = raffle;
  if (cached) return cached.sample;
  const chatters = await callWithUserToken(
    app,
    guildId,
    (helix, link) => helix.getChatters(broadcasterId, link.twitchUserId),
    raffle.link,
  );
  const candidates = chatters.map((chatter) => ({ id: chatter.id, login: chatter.login, name: chatter.displayName }));
  try {
    await writeChatters(app.redis, broadcasterId, candidates, app.now());
  } catch (error) {
    app.log.warn("could not cache chatters", { error, guildId });
  }
  return candidates;
}
