import { describe, expect, it } from "vitest";
import { readBucketWait, recordBucket, reserveGlobalSlot } from "../../../worker/discord/rateLimitBuckets";

function headers(remaining: number, resetAfter: number): Headers {
  return new Headers({ "x-ratelimit-remaining": String(remaining), "x-ratelimit-reset-after": String(resetAfter) });
}

describe("Discord rate-limit buckets", () => {
  it("asks to wait only while a route's bucket is empty, until it resets", () => {
    const route = `POST /channels/${crypto.randomUUID()}/messages`;
    expect(readBucketWait(route, 1_000)).toBe(0);
    recordBucket(route, headers(2, 5), 1_000);
    expect(readBucketWait(route, 1_000)).toBe(0);
    recordBucket(route, headers(0, 1.5), 1_000);
    expect(readBucketWait(route, 1_000)).toBe(1_500);
    expect(readBucketWait(route, 2_000)).toBe(500);
    expect(readBucketWait(route, 2_600)).toBe(0);
  });

  it("keeps routes apart and ignores answers without rate-limit headers", () => {
    const first = `POST /channels/${crypto.randomUUID()}/messages`;
    const second = `POST /channels/${crypto.randomUUID()}/messages`;
    recordBucket(first, headers(0, 3), 0);
    recordBucket(second, new Headers(), 0);
    expect(readBucketWait(first, 0)).toBe(3_000);
    expect(readBucketWait(second, 0)).toBe(0);
  });
});

describe("global pacing", () => {
  it("lets 40 requests through in a second and spaces the rest", () => {
    const start = 10_000_000;
    const waits = Array.from({ length: 45 }, () => reserveGlobalSlot(start));
    expect(waits.slice(0, 40).every((wait) => wait === 0)).toBe(true);
    expect(waits.slice(40).every((wait) => wait >= 1_000 && wait <= 1_001)).toBe(true);
    expect(reserveGlobalSlot(start + 2_500)).toBe(0);
  });
});
