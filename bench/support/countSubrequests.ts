import type { CallRecord } from "../../devkit/fakes/twitchControl";
import type { ProxyCounts } from "./startCountingProxy";

/** A tick's subrequests by kind: outbound HTTP calls, and the database connections (WebSockets). */
export interface SubrequestCounts {
  /** id.twitch.tv `/oauth2/token`: the app token (client credentials) and user token refreshes. */
  twitchAuth: number;
  /** id.twitch.tv `/oauth2/validate`: the hourly validation Twitch requires of every user token. */
  twitchValidate: number;
  /** Helix `/eventsub/subscriptions`: subscriptions the hourly link check creates or repairs. */
  helixEventSub: number;
  helixStreams: number;
  helixChatters: number;
  /** The raffle gates' lookups (raffle/applyGates.ts): Get Users (account age, 100 ids a call). */
  helixUsers: number;
  /** Get Broadcaster Subscriptions (the subscribers gate, 100 ids a call). */
  helixSubscriptions: number;
  /** Get Channel Followers (the followers gates, one viewer a call). */
  helixFollowers: number;
  /** Any other Twitch call (none expected). */
  twitchOther: number;
  discordMessages: number;
  /** Any other Discord call (none expected). */
  discordOther: number;
  upstash: number;
  /** Redis commands in those requests (a pipeline counts each of its commands): what Upstash bills. */
  upstashCommands: number;
  /** The drand relay: the round the tick's draws wait for (one per tick or consumer batch). */
  drand: number;
  /** Outbound HTTP calls: everything above. */
  http: number;
  /** Neon WebSocket connections opened (each one a subrequest on Workers). */
  neonWebSockets: number;
  /** Calls the fakes answered with a status other than 2xx (rate limits, errors). */
  failedCalls: number;
}

export function countSubrequests(
  twitchCalls: readonly CallRecord[],
  discordCalls: readonly CallRecord[],
  upstash: ProxyCounts,
  neon: ProxyCounts,
  drandCalls: readonly CallRecord[] = [],
): SubrequestCounts {
  const countTwitch = (predicate: (call: CallRecord) => boolean) => twitchCalls.filter(predicate).length;
  const twitchAuth = countTwitch((call) => call.path === "/oauth2/token");
  const twitchValidate = countTwitch((call) => call.path === "/oauth2/validate");
  const helixEventSub = countTwitch((call) => call.path.startsWith("/helix/eventsub/"));
  const helixStreams = countTwitch((call) => call.path === "/helix/streams");
  const helixChatters = countTwitch((call) => call.path === "/helix/chat/chatters");
  const helixUsers = countTwitch((call) => call.path === "/helix/users");
  const helixSubscriptions = countTwitch((call) => call.path === "/helix/subscriptions");
  const helixFollowers = countTwitch((call) => call.path === "/helix/channels/followers");
  const discordMessages = discordCalls.filter(
    (call) => call.method === "POST" && /^\/api\/v10\/channels\/\d+\/messages$/.test(call.path),
  ).length;
  const upstashRequests = upstash.requests;
  return {
    twitchAuth,
    twitchValidate,
    helixEventSub,
    helixStreams,
    helixChatters,
    helixUsers,
    helixSubscriptions,
    helixFollowers,
    twitchOther:
      twitchCalls.length -
      twitchAuth -
      twitchValidate -
      helixEventSub -
      helixStreams -
      helixChatters -
      helixUsers -
      helixSubscriptions -
      helixFollowers,
    discordMessages,
    discordOther: discordCalls.length - discordMessages,
    upstash: upstashRequests,
    upstashCommands: upstash.commands,
    drand: drandCalls.length,
    http: twitchCalls.length + discordCalls.length + upstashRequests + drandCalls.length,
    neonWebSockets: neon.upgrades,
    failedCalls: [...twitchCalls, ...discordCalls].filter((call) => call.status < 200 || call.status >= 300).length,
  };
}

/** The most calls received within any one second: what Discord's 50 requests/second applies to. */
export function findPeakCallsPerSecond(calls: readonly CallRecord[]): number {
  const times = calls.map((call) => Date.parse(call.receivedAt)).sort((left, right) => left - right);
  let peak = 0;
  let windowStart = 0;
  for (let windowEnd = 0; windowEnd < times.length; windowEnd += 1) {
    while ((times[windowEnd] ?? 0) - (times[windowStart] ?? 0) >= 1000) windowStart += 1;
    peak = Math.max(peak, windowEnd - windowStart + 1);
  }
  return peak;
}
