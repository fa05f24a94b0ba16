// The outbox's retry rule for a winner announcement Discord did not take: pure, so the Node
// unit tier checks it (test/node/unit/announcementRetry.test.ts).

/** Retries back off 1, 2, 4 … minutes, capped; after this many attempts the draw is reported as undelivered. */
export const maximumAnnouncementAttempts = 10;
/** The longest wait between two attempts, in minutes. */
export const maximumAnnouncementBackoffMinutes = 30;

export interface FailedPost {
  /** Attempts made so far, this one included. */
  attempts: number;
  /** Discord's HTTP status, when Discord answered. */
  status: number | undefined;
  /** Discord's Retry-After (seconds), when it sent one. */
  retryAfterSeconds: number | undefined;
}

export interface AnnouncementRetry {
  /** The channel is gone (404) or closed to the bot (403): retrying cannot help. */
  channelUnavailable: boolean;
  /** The draw ends `failed`: its channel is unavailable, or it ran out of attempts. */
  giveUp: boolean;
  /** When to try again: Discord's Retry-After if given, else 1, 2, 4 … minutes, capped. */
  retryInMilliseconds: number;
}

export function decideAnnouncementRetry(failure: FailedPost): AnnouncementRetry {
  const channelUnavailable = failure.status === 403 || failure.status === 404;
  return {
    channelUnavailable,
    giveUp: channelUnavailable || failure.attempts >= maximumAnnouncementAttempts,
    retryInMilliseconds:
      failure.retryAfterSeconds !== undefined
        ? Math.ceil(failure.retryAfterSeconds * 1000)
        : Math.min(2 ** (failure.attempts - 1), maximumAnnouncementBackoffMinutes) * 60_000,
  };
}
