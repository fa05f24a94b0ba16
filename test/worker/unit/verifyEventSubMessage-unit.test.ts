import { describe, expect, it } from "vitest";
import { HttpError } from "../../../worker/errors";
import { parseTwitchTimestamp, verifyEventSubMessage } from "../../../worker/twitch/verifyEventSubMessage";

// The twitch_api test vector (https://dev.twitch.tv/docs/eventsub/handling-webhook-events/), re-computed independently.
const vector = {
  secret: "secretabcd",
  id: "ae2ff348-e102-16be-a3eb-6830c1bf38d2",
  timestamp: "2021-02-19T23:47:00.8091512Z",
  signature: "sha256=d10f5bd9474b7ac7bd7105eb79c2d52768b4d0cd2a135982c3bf5a1d59a78823",
  body: '{"subscription":{"id":"ae2ff348-e102-16be-a3eb-6830c1bf38d2","status":"enabled","type":"channel.follow","version":"1","condition":{"broadcaster_user_id":"44429626"},"transport":{"method":"webhook","callback":"null"},"created_at":"2021-02-19T23:47:00.7621315Z"},"event":{"user_id":"28408015","user_login":"testFromUser","user_name":"testFromUser","broadcaster_user_id":"44429626","broadcaster_user_login":"44429626","broadcaster_user_name":"testBroadcaster"}}',
};
const vectorTime = Date.parse("2021-02-19T23:47:01Z");

function vectorRequest(overrides: Partial<Record<"signature" | "timestamp" | "body" | "id", string>> = {}): Request {
  return new Request("https://liveloot.test/twitch/eventsub", {
    method: "POST",
    headers: {
      "twitch-eventsub-message-id": overrides.id ?? vector.id,
      "twitch-eventsub-message-timestamp": overrides.timestamp ?? vector.timestamp,
      "twitch-eventsub-message-signature": overrides.signature ?? vector.signature,
      "twitch-eventsub-message-type": "notification",
      "twitch-eventsub-subscription-type": "channel.follow",
    },
    body: overrides.body ?? vector.body,
  });
}

async function expectForbidden(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(403);
}

describe("verifyEventSubMessage", () => {
  it("verifies the published HMAC test vector", async () => {
    expect(vector.body).toHaveLength(458);
    const envelope = await verifyEventSubMessage(vectorRequest(), vector.secret, vectorTime);
    expect(envelope).toEqual({
      messageId: vector.id,
      messageType: "notification",
      subscriptionType: "channel.follow",
      sentAt: Date.parse("2021-02-19T23:47:00.809Z"),
      body: vector.body,
    });
  });

  it("refuses a changed body, id, timestamp or secret with 403", async () => {
    await expectForbidden(verifyEventSubMessage(vectorRequest({ body: `${vector.body} ` }), vector.secret, vectorTime));
    await expectForbidden(verifyEventSubMessage(vectorRequest({ id: "x" }), vector.secret, vectorTime));
    await expectForbidden(
      verifyEventSubMessage(vectorRequest({ timestamp: "2021-02-19T23:47:00.8091513Z" }), vector.secret, vectorTime),
    );
    await expectForbidden(verifyEventSubMessage(vectorRequest(), "secretabce", vectorTime));
    await expectForbidden(verifyEventSubMessage(vectorRequest({ signature: "sha256=zz" }), vector.secret, vectorTime));
  });

  it("refuses a correctly signed message older than 10 minutes with 403", async () => {
    await expect(verifyEventSubMessage(vectorRequest(), vector.secret, vectorTime + 9 * 60_000)).resolves.toBeDefined();
    await expectForbidden(verifyEventSubMessage(vectorRequest(), vector.secret, vectorTime + 11 * 60_000));
  });

  it("reads Twitch's nanosecond timestamps", () => {
    expect(parseTwitchTimestamp("2021-02-19T23:47:00.8091512Z")).toBe(Date.parse("2021-02-19T23:47:00.809Z"));
    expect(parseTwitchTimestamp("2021-02-19T23:47:00Z")).toBe(Date.parse("2021-02-19T23:47:00Z"));
    expect(parseTwitchTimestamp("yesterday")).toBeUndefined();
  });
});
