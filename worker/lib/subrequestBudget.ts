/**
 * Subrequests one Worker invocation may make on the Workers Free plan: every fetch (Twitch,
 * Discord, each Upstash request, each Neon HTTP query) counts (docs/platform-limits.md, "Cloudflare Workers and Queues"). The Paid
 * plan allows 10,000; LiveLoot is sized so that a deployment on Free works.
 */
export const freePlanSubrequestsPerInvocation = 50;

/**
 * What an invocation that pages Get Chatters spends besides the pages, at most: the tick's
 * shared work (about 5: Neon WebSocket, the Upstash sample pipeline, Get Streams, the outbox
 * claim and delivery update; bench/README.md), an app or user token refresh (2), the chatter
 * cache write (1) and the winner's Discord post (1), with one to spare.
 */
const subrequestsBesideChatterPages = 10;

/**
 * Get Chatters pages (1,000 chatters each) one call may fetch: the rest of the Free plan's
 * budget, 40 pages or 40,000 chatters. A bigger chat is sampled from the first 40,000 Twitch
 * lists; the pages never grow past what one invocation may spend.
 */
export const maximumChatterPages = freePlanSubrequestsPerInvocation - subrequestsBesideChatterPages;
