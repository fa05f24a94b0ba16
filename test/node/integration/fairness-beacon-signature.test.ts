import { describe, expect, it } from "vitest";
import { computeRoundMessage, verifyBeaconSignature } from "../../../scripts/fairness/verifyBeaconSignature";
import { quicknet } from "../../../worker/fairness/beacon";

/** A real quicknet round, as api.drand.sh serves it: the fixed vector of the signature check. */
const round657413 = {
  round: 657413,
  signature: "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
};

describe("verifyBeaconSignature (bls-unchained-g1-rfc9380)", () => {
  it("signs sha256 of the round as 8 bytes big-endian", async () => {
    const message = await computeRoundMessage(1);
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1])));
    expect(message).toEqual(expected);
  });

  it("accepts real quicknet round 657413 under quicknet's public key", async () => {
    expect(await verifyBeaconSignature(round657413, quicknet.publicKey)).toBe(true);
  });

  it("rejects the same signature for another round, a changed signature and another key", async () => {
    expect(await verifyBeaconSignature({ ...round657413, round: 657414 }, quicknet.publicKey)).toBe(false);
    // Flipping a bit of x gives either a point off the curve (refused while decoding) or another point.
    for (const position of [10, 40, 95]) {
      const digit = Number.parseInt(round657413.signature[position] ?? "0", 16) ^ 1;
      const changed = `${round657413.signature.slice(0, position)}${digit.toString(16)}${round657413.signature.slice(position + 1)}`;
      expect(await verifyBeaconSignature({ ...round657413, signature: changed }, quicknet.publicKey)).toBe(false);
    }
    expect(await verifyBeaconSignature({ ...round657413, signature: "00" }, quicknet.publicKey)).toBe(false);
    const otherKey = `${quicknet.publicKey.slice(0, 190)}00`;
    expect(await verifyBeaconSignature(round657413, otherKey)).toBe(false);
  });

  it("costs tens of milliseconds of CPU per verification (why the Worker does not verify)", async () => {
    await verifyBeaconSignature(round657413, quicknet.publicKey);
    const runs = 5;
    const started = performance.now();
    for (let index = 0; index < runs; index += 1) await verifyBeaconSignature(round657413, quicknet.publicKey);
    const perVerification = (performance.now() - started) / runs;
    console.log(
      `BLS verification of one quicknet round: ${perVerification.toFixed(1)} ms (warm, Node ${process.version})`,
    );
    expect(perVerification).toBeGreaterThan(0);
  });
});
