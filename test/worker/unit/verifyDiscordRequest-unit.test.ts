import { describe, expect, it } from "vitest";
import { testDiscordPublicKeyHex } from "../../../devkit/localBindings";
import { verifyDiscordRequest } from "../../../worker/discord/verifyDiscordRequest";
import { HttpError } from "../../../worker/errors";

// The deterministic vector of the test key (devkit/localBindings.ts, seed 00…1f), checked at its own point in time.
const vector = {
  timestamp: "1700000000",
  body: '{"type":1}',
  signature:
    "c1098e97d711377f30225d53d94b89d43537f92e5b3afaddc590781b1f9f9d4b2eeab335d370be3b9a090bc61a85b86448bc140dcd195f1569c2bff181257607",
};
const vectorTime = 1_700_000_000_000;

function vectorRequest(overrides: { body?: string; signature?: string; timestamp?: string } = {}): Request {
  return new Request("https://liveloot.test/interactions", {
    method: "POST",
    headers: {
      "x-signature-ed25519": overrides.signature ?? vector.signature,
      "x-signature-timestamp": overrides.timestamp ?? vector.timestamp,
    },
    body: overrides.body ?? vector.body,
  });
}

async function expectStatus(promise: Promise<unknown>, status: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(status);
}

describe("verifyDiscordRequest", () => {
  it("accepts the known-good Ed25519 vector and returns the raw body", async () => {
    await expect(verifyDiscordRequest(vectorRequest(), testDiscordPublicKeyHex, vectorTime)).resolves.toBe(vector.body);
  });

  it("accepts a timestamp up to five minutes away", async () => {
    await expect(verifyDiscordRequest(vectorRequest(), testDiscordPublicKeyHex, vectorTime + 299_000)).resolves.toBe(
      vector.body,
    );
  });

  it("refuses a tampered body", async () => {
    await expectStatus(
      verifyDiscordRequest(vectorRequest({ body: '{"type":2}' }), testDiscordPublicKeyHex, vectorTime),
      401,
    );
  });

  it("refuses a signature made for another timestamp", async () => {
    await expectStatus(
      verifyDiscordRequest(vectorRequest({ timestamp: "1700000001" }), testDiscordPublicKeyHex, vectorTime),
      401,
    );
  });

  it("refuses a valid signature under another public key", async () => {
    const otherKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    await expectStatus(verifyDiscordRequest(vectorRequest(), otherKey, vectorTime), 401);
  });

  it("refuses a stale and a future timestamp even with a valid signature", async () => {
    await expectStatus(verifyDiscordRequest(vectorRequest(), testDiscordPublicKeyHex, vectorTime + 301_000), 401);
    await expectStatus(verifyDiscordRequest(vectorRequest(), testDiscordPublicKeyHex, vectorTime - 301_000), 401);
  });

  it("refuses a non-numeric timestamp and a non-hex signature", async () => {
    await expectStatus(
      verifyDiscordRequest(vectorRequest({ timestamp: "soon" }), testDiscordPublicKeyHex, vectorTime),
      401,
    );
    await expectStatus(
      verifyDiscordRequest(vectorRequest({ signature: "zz" }), testDiscordPublicKeyHex, vectorTime),
      401,
    );
  });
});
