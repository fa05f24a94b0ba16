import { type CachedSample, readChatterSamples, writeChatters } from "../cache/chatterCache";
import type { AppContext } from "../context";
import type { Candidate } from "../db/draws";
import type { TwitchLink } from "../db/twitchLinks";
import { candidateSampleSize } from "./drawSlots";
import { callWithUserToken } from "./twitchAccess";

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
 * The chat of a channel: the sample cached in Redis when the caller has a fresh one, else Get
 * Chatters as the linked account (at most `maximumChatterPages` pages, what one invocation's
 * subrequest budget allows: worker/lib/subrequestBudget.ts), which then refreshes the cache when
 * `refreshCache`. Twitch errors reach the caller (raffle/makeDraw.ts holds the policy); a link
 * found needing re-authorization has already paused the raffle (raffle/twitchAccess.ts).
 */
export async function gatherCandidates(
  app: AppContext,
  raffle: { guildId: string; twitchBroadcasterId: string; link?: TwitchLink },
  source: { cached: CachedSample | undefined; refreshCache: boolean },
): Promise<Candidate[]> {
  const { guildId, twitchBroadcasterId: broadcasterId } = raffle;
  if (source.cached) return source.cached.sample;
  // The raffle's broadcaster is the linked account (a re-link retargets the raffle).
  const chatters = await callWithUserToken(
    app,
    guildId,
    (helix, link) => helix.getChatters(broadcasterId, link.twitchUserId),
    raffle.link,
  );
  const candidates = chatters.map((chatter) => ({ id: chatter.id, login: chatter.login, name: chatter.displayName }));
  if (!source.refreshCache) return candidates;
  try {
    await writeChatters(app.redis, broadcasterId, candidates, app.now());
  } catch (error) {
    app.log.warn("could not cache chatters", { error, guildId });
  }
  return candidates;
}
