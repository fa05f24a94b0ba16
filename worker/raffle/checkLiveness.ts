import type { AppContext } from "../context";
import { type ChannelLiveness, type PolledLiveness, recordPolledLiveness } from "../db/channelLiveness";
import type { DueRaffle } from "../db/dueRaffles";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { getAppAccessToken } from "../twitch/appAccessToken";
import { HelixClient, type LiveStream } from "../twitch/HelixClient";
import { TwitchApiError } from "../twitch/TwitchApiError";

const broadcastersPerCall = 100;

/** Even while EventSub pushes, a state this old is checked again: a lost webhook costs at most this. */
export const pushedLivenessMaximumAgeMilliseconds = 10 * 60_000;
/** Without EventSub, liveness is asked every minute (one Get Streams call per 100 channels). */
export const polledLivenessMaximumAgeMilliseconds = 60_000;

/**
 * Whether a channel's known state must be checked with Get Streams before a draw trusts it:
 * nothing known yet (a channel just linked or re-targeted), or a state older than allowed (10
 * minutes while both stream subscriptions are enabled, else one minute).
 */
export function needsLivenessCheck(known: ChannelLiveness | undefined, pushed: boolean, now: number): boolean {
  if (!known) return true;
  const maximumAge = pushed ? pushedLivenessMaximumAgeMilliseconds : polledLivenessMaximumAgeMilliseconds;
  return now - known.observedAt >= maximumAge;
}

/**
 * Whether each due raffle's channel is live, by broadcaster. Liveness belongs to the Twitch
 * channel: a channel whose known state is fresh is trusted, the rest are checked with Get
 * Streams (app token, 100 broadcasters a call) and the answers recorded for every raffle and
 * command that reads the channel. A channel whose check failed is absent, so its raffles are
 * skipped this minute rather than drawn blind (raffle/makeDraw.ts).
 */
export async function readLiveness(app: AppContext, due: DueRaffle[]): Promise<Map<string, boolean>> {
  const now = app.now();
  const liveness = new Map<string, boolean>();
  const unchecked = new Set<string>();
  for (const raffle of due) {
    if (needsLivenessCheck(raffle.channel, raffle.livenessPushed, now)) unchecked.add(raffle.twitchBroadcasterId);
    else liveness.set(raffle.twitchBroadcasterId, raffle.channel?.isLive ?? false);
  }
  for (const [broadcasterId, isLive] of await pollChannels(app, [...unchecked])) liveness.set(broadcasterId, isLive);
  return liveness;
}

/** Get Streams for these broadcasters, recorded; a broadcaster whose batch failed is absent. */
export async function pollChannels(app: AppContext, broadcasterIds: string[]): Promise<Map<string, boolean>> {
  if (broadcasterIds.length === 0) return new Map();
  const batches: string[][] = [];
  for (let start = 0; start < broadcasterIds.length; start += broadcastersPerCall) {
    batches.push(broadcasterIds.slice(start, start + broadcastersPerCall));
  }
  const answers: PolledLiveness[] = [];
  await mapWithConcurrency(batches, outsideCallConcurrency, async (batch) => {
    try {
      answers.push(...describeAnswers(batch, await getLiveStreamsWithAppToken(app, batch)));
    } catch (error) {
      app.log.warn("Get Streams failed; skipping these raffles this minute", {
        error,
        broadcasters: batch.length,
      });
    }
  });
  const states = await recordPolledLiveness(app.database, answers, app.now());
  return new Map([...states].map(([broadcasterId, state]) => [broadcasterId, state.isLive]));
}

/** Get Streams lists live channels only: every asked channel it leaves out is offline. */
export function describeAnswers(broadcasterIds: string[], streams: LiveStream[]): PolledLiveness[] {
  const live = new Map(streams.map((stream) => [stream.broadcasterId, stream]));
  return broadcasterIds.map((broadcasterId) => {
    const stream = live.get(broadcasterId);
    const startedAt = stream?.startedAt ? Date.parse(stream.startedAt) : Number.NaN;
    return {
      broadcasterId,
      isLive: stream !== undefined,
      streamStartedAt: Number.isNaN(startedAt) ? undefined : startedAt,
    };
  });
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
