import type { AppContext } from "../context";
import { type DueRaffle, recordLiveness } from "../db/dueRaffles";
import { getAppAccessToken } from "../twitch/appAccessToken";
import { HelixClient } from "../twitch/HelixClient";
import { TwitchApiError } from "../twitch/TwitchApiError";
import { mapWithConcurrency } from "./mapWithConcurrency";

const broadcastersPerCall = 100;

/**
 * Which due raffles are live. Where EventSub's stream.online/offline subscriptions are enabled,
 * the live flag they keep is trusted; the rest are polled: one Get Streams call per 100
 * broadcasters, with the app token, recorded on the raffles (for /raffle status). Raffles whose
 * batch failed are left out, so they are skipped this minute rather than drawn blind.
 */
export async function findLiveRaffles(app: AppContext, due: DueRaffle[]): Promise<DueRaffle[]> {
  const pushed = due.filter((raffle) => raffle.liveFromEventSub);
  const polled = await pollLiveRaffles(
    app,
    due.filter((raffle) => !raffle.liveFromEventSub),
  );
  return [...pushed.filter((raffle) => raffle.isLive), ...polled];
}

async function pollLiveRaffles(app: AppContext, raffles: DueRaffle[]): Promise<DueRaffle[]> {
  if (raffles.length === 0) return [];
  const broadcasterIds = [...new Set(raffles.map((raffle) => raffle.twitchBroadcasterId))];
  const live = new Set<string>();
  const checked = new Set<string>();
  const batches: string[][] = [];
  for (let start = 0; start < broadcasterIds.length; start += broadcastersPerCall) {
    batches.push(broadcasterIds.slice(start, start + broadcastersPerCall));
  }
  await mapWithConcurrency(batches, 4, async (batch) => {
    try {
      const streams = await getLiveStreamsWithAppToken(app, batch);
      for (const stream of streams) live.add(stream.broadcasterId);
      for (const id of batch) checked.add(id);
    } catch (error) {
      app.log.warn("Get Streams failed; skipping these raffles this minute", {
        error: String(error),
        broadcasters: batch.length,
      });
    }
  });
  const checkedRaffles = raffles.filter((raffle) => checked.has(raffle.twitchBroadcasterId));
  const liveRaffles = checkedRaffles.filter((raffle) => live.has(raffle.twitchBroadcasterId));
  await recordLiveness(
    app.database,
    checkedRaffles.map((raffle) => raffle.id),
    liveRaffles.map((raffle) => raffle.id),
    app.now(),
  );
  return liveRaffles;
}

async function getLiveStreamsWithAppToken(app: AppContext, broadcasterIds: string[]) {
  try {
    return await new HelixClient(app.config, await getAppAccessToken(app)).getLiveStreams(broadcasterIds);
  } catch (error) {
    // App tokens cannot be refreshed: a rejected one is replaced by a new one, once.
    if (!(error instanceof TwitchApiError) || error.status !== 401) throw error;
    return new HelixClient(app.config, await getAppAccessToken(app, { forceNew: true })).getLiveStreams(broadcasterIds);
  }
}
