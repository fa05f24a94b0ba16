import { describe, expect, it } from "vitest";
import {
  channelProbeIntervalMinutes,
  cloudflareBackoffMinutes,
  decideAnnouncementRetry,
  maximumAnnouncementAttempts,
  maximumAnnouncementBackoffMinutes,
} from "../../../worker/raffle/announcementRetry";

const minute = 60_000;

describe("a winner announcement Discord did not take", () => {
  it("is retried after 1, 2, 4 … minutes, capped at 30", () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map(
      (attempts) =>
        decideAnnouncementRetry({ attempts, status: 500, retryAfterSeconds: undefined }).retryInMilliseconds / minute,
    );
    expect(waits).toEqual([1, 2, 4, 8, 16, 30, 30]);
    expect(maximumAnnouncementBackoffMinutes).toBe(30);
  });

  it("waits what Discord's Retry-After says, rounded up to the millisecond", () => {
    expect(decideAnnouncementRetry({ attempts: 1, status: 429, retryAfterSeconds: 2.5 }).retryInMilliseconds).toBe(
      2500,
    );
    expect(decideAnnouncementRetry({ attempts: 3, status: 429, retryAfterSeconds: 0.0004 }).retryInMilliseconds).toBe(
      1,
    );
  });

  it(`gives up on a body Discord keeps refusing after ${maximumAnnouncementAttempts} attempts`, () => {
    const last = maximumAnnouncementAttempts;
    expect(decideAnnouncementRetry({ attempts: last - 1, status: 400, retryAfterSeconds: undefined }).giveUp).toBe(
      false,
    );
    expect(decideAnnouncementRetry({ attempts: last, status: 400, retryAfterSeconds: undefined })).toMatchObject({
      giveUp: true,
      channelUnavailable: false,
    });
  });

  it("never gives up during an outage: a 5xx or no answer is tried every 30 minutes, however long", () => {
    for (const status of [undefined, 500, 502, 503]) {
      expect(decideAnnouncementRetry({ attempts: 200, status, retryAfterSeconds: undefined })).toMatchObject({
        giveUp: false,
        counted: true,
        retryInMilliseconds: maximumAnnouncementBackoffMinutes * minute,
      });
    }
  });

  it("never gives up on a channel that is gone (404) or closed to the bot (403): it is held and probed every 10 minutes", () => {
    for (const status of [403, 404]) {
      expect(decideAnnouncementRetry({ attempts: 12, status, retryAfterSeconds: undefined })).toEqual({
        channelUnavailable: true,
        cloudflareLimited: false,
        giveUp: false,
        counted: false,
        retryInMilliseconds: channelProbeIntervalMinutes * minute,
      });
    }
    expect(channelProbeIntervalMinutes).toBeLessThanOrEqual(10);
  });

  it("waits minutes, uncounted, when Discord's Cloudflare answers its HTML 429 (error 1015)", () => {
    expect(
      decideAnnouncementRetry({ attempts: 1, status: 429, retryAfterSeconds: undefined, cloudflareLimited: true }),
    ).toEqual({
      channelUnavailable: false,
      cloudflareLimited: true,
      giveUp: false,
      counted: false,
      retryInMilliseconds: cloudflareBackoffMinutes * minute,
    });
  });

  it("never gives up on a rate limit, and does not count it as an attempt", () => {
    expect(
      decideAnnouncementRetry({ attempts: maximumAnnouncementAttempts + 5, status: 429, retryAfterSeconds: 3 }),
    ).toMatchObject({ giveUp: false, counted: false, retryInMilliseconds: 3000 });
  });

  it("keeps trying after a network failure (no status) or a server error", () => {
    for (const status of [undefined, 500, 429]) {
      expect(decideAnnouncementRetry({ attempts: 1, status, retryAfterSeconds: undefined })).toMatchObject({
        giveUp: false,
        channelUnavailable: false,
      });
    }
  });
});
