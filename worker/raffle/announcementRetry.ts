// The outbox's retry rule for an announcement or notice Discord did not take: pure, so the Node
// unit tier checks it (test/node/unit/announcementRetry.test.ts).

/**
 * Retries back off 1, 2, 4 … minutes, capped. A post Discord refuses with another 4xx (its body,
 * say) is reported as undelivered after this many attempts; a server error or no answer at all is
 * tried every 30 minutes until it goes through, however long Discord is down: a recorded draw is
 * never given up for an outage.
 */
export const maximumAnnouncementAttempts = 10;
/** The longest wait between two attempts, in minutes. */
export const maximumAnnouncementBackoffMinutes = 30;
/** A channel Discord refused is tried again this often (SPEC: at least every 10 minutes). */
export const channelProbeIntervalMinutes = 10;
/** What a post refused by Discord's Cloudflare waits at least (db/discordBlocks.ts sets the block). */
export const cloudflareBackoffMinutes = 5;

export interface FailedPost {
  /** Attempts made so far, this one included. */
  attempts: number;
  /** Discord's HTTP status, when Discord answered. */
  status: number | undefined;
  /** Discord's Retry-After (seconds), when it sent one. */
  retryAfterSeconds: number | undefined;
  /** A 429 from Discord's Cloudflare (its HTML page, error 1015), not from Discord's API. */
  cloudflareLimited?: boolean;
}

export interface AnnouncementRetry {
  /** The channel is gone (404) or closed to the bot (403): the channel is held until a probe gets through. */
  channelUnavailable: boolean;
  /** Discord's Cloudflare limits the Worker: every post waits minutes. */
  cloudflareLimited: boolean;
  /** The post ends `failed`: Discord kept refusing its body (an outage, a refused channel or a rate limit never gives up). */
  giveUp: boolean;
  /** Whether this counts as one of the attempts: a rate limit or a refused channel says nothing of the post. */
  counted: boolean;
  /** When to try again: Discord's Retry-After if given, else 1, 2, 4 … minutes, capped. */
  retryInMilliseconds: number;
}

/** A 4xx that no wait will change (403/404 hold the channel, 429 waits; those never get here). */
function isRefusedBody(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}

export function decideAnnouncementRetry(failure: FailedPost): AnnouncementRetry {
  const channelUnavailable = failure.status === 403 || failure.status === 404;
  const cloudflareLimited = failure.status === 429 && failure.cloudflareLimited === true;
  if (channelUnavailable || cloudflareLimited) {
    const minutes = channelUnavailable ? channelProbeIntervalMinutes : cloudflareBackoffMinutes;
    return {
      channelUnavailable,
      cloudflareLimited,
      giveUp: false,
      counted: false,
      retryInMilliseconds: minutes * 60_000,
    };
  }
  if (failure.retryAfterSeconds !== undefined) {
    return {
      channelUnavailable,
      cloudflareLimited,
      giveUp: false,
      counted: failure.status !== 429,
      retryInMilliseconds: Math.ceil(failure.retryAfterSeconds * 1000),
    };
  }
  return {
    channelUnavailable,
    cloudflareLimited,
    giveUp: isRefusedBody(failure.status) && failure.attempts >= maximumAnnouncementAttempts,
    counted: failure.status !== 429,
    retryInMilliseconds: Math.min(2 ** (failure.attempts - 1), maximumAnnouncementBackoffMinutes) * 60_000,
  };
}
