import { describe, expect, it } from "vitest";
import { TokenCipher, UnknownKeyError } from "../../../worker/security/TokenCipher";

const keyA = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, index) => index)));
const keyB = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, index) => 255 - index)));

describe("TokenCipher", () => {
  it("seals with a fresh IV each time and opens only for the same purpose", async () => {
    const cipher = await TokenCipher.fromBase64Key(keyA);
    const first = await cipher.seal("secret-token", "twitch-access:1");
    const second = await cipher.seal("secret-token", "twitch-access:1");
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(first.ciphertext).not.toContain("secret");
    await expect(cipher.open(first, "twitch-access:1")).resolves.toBe("secret-token");
    await expect(cipher.open(first, "twitch-access:2")).rejects.toThrow();
  });

  it("opens values sealed with the previous key during a rotation, and seals with the current one", async () => {
    const old = await TokenCipher.fromBase64Key(keyA);
    const sealed = await old.seal("refresh-token", "twitch-refresh:9");
    const rotated = await TokenCipher.fromBase64Key(keyB, [keyA]);
    await expect(rotated.open(sealed, "twitch-refresh:9")).resolves.toBe("refresh-token");
    const resealed = await rotated.seal("refresh-token", "twitch-refresh:9");
    expect(resealed.keyId).toBe(rotated.keyId);
    expect(resealed.keyId).not.toBe(old.keyId);

    const withoutPrevious = await TokenCipher.fromBase64Key(keyB);
    await expect(withoutPrevious.open(sealed, "twitch-refresh:9")).rejects.toBeInstanceOf(UnknownKeyError);
  });

  it("names the previous key only while it is another key than the current one", async () => {
    const old = await TokenCipher.fromBase64Key(keyA);
    expect(old.previousKeyId).toBeUndefined();
    expect((await TokenCipher.fromBase64Key(keyB, [keyA])).previousKeyId).toBe(old.keyId);
    // The same key set twice is no rotation: the tick would re-seal everything every minute.
    expect((await TokenCipher.fromBase64Key(keyA, [keyA])).previousKeyId).toBeUndefined();
    expect(old.keyId).toMatch(/^k-[0-9a-f]{8}$/);
  });
});
