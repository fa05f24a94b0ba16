import { describe, expect, it } from "vitest";
import {
  type BrowserBoundFlow,
  buildBindingCookie,
  createBrowserBinding,
  isBoundBrowser,
} from "../../../worker/security/BrowserBinding";

const flow: BrowserBoundFlow = { cookiePrefix: "liveloot_test_", callbackPath: "/test/callback" };
const otherFlow: BrowserBoundFlow = { cookiePrefix: "liveloot_other_", callbackPath: "/test/callback" };

function requestWithCookie(cookie?: string): Request {
  return new Request("https://liveloot.test/test/callback", { headers: cookie ? { cookie } : {} });
}

describe("BrowserBinding", () => {
  it("makes a 256-bit nonce per binding and names only its SHA-256 digest outside the cookie", async () => {
    const first = await createBrowserBinding();
    const second = await createBrowserBinding();
    expect(first.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.nonce).not.toBe(second.nonce);
    expect(first.digest).not.toBe(first.nonce);
  });

  it("sets the cookie HttpOnly, SameSite=Lax, scoped to the callback, Secure only on an https origin", async () => {
    const binding = await createBrowserBinding();
    const name = `liveloot_test_${binding.digest.slice(0, 16)}`;
    expect(buildBindingCookie(flow, binding, { publicBaseUrl: "https://liveloot.example", maxAgeSeconds: 599.2 })).toBe(
      `${name}=${binding.nonce}; Max-Age=600; Path=/test/callback; HttpOnly; SameSite=Lax; Secure`,
    );
    expect(
      buildBindingCookie(flow, binding, { publicBaseUrl: "http://127.0.0.1:8787", maxAgeSeconds: 10, path: "/x/y" }),
    ).toBe(`${name}=${binding.nonce}; Max-Age=10; Path=/x/y; HttpOnly; SameSite=Lax`);
  });

  it("accepts only the flow's cookie whose nonce hashes to the digest", async () => {
    const binding = await createBrowserBinding();
    const other = await createBrowserBinding();
    const name = `liveloot_test_${binding.digest.slice(0, 16)}`;
    expect(await isBoundBrowser(requestWithCookie(`a=b; ${name}=${binding.nonce}; c=d`), flow, binding.digest)).toBe(
      true,
    );
    const refused: [string, string | undefined, string][] = [
      ["no cookie", undefined, binding.digest],
      ["another binding's nonce under this name", `${name}=${other.nonce}`, binding.digest],
      ["another binding's cookie", `liveloot_test_${other.digest.slice(0, 16)}=${other.nonce}`, binding.digest],
      [
        "the nonce under another flow's name",
        `liveloot_other_${binding.digest.slice(0, 16)}=${binding.nonce}`,
        binding.digest,
      ],
      ["a malformed nonce", `${name}=${binding.nonce}!`, binding.digest],
      ["an empty nonce", `${name}=`, binding.digest],
      ["the digest itself as the nonce", `${name}=${binding.digest}`, binding.digest],
      ["a malformed digest", `${name}=${binding.nonce}`, `${binding.digest}x`],
    ];
    for (const [label, cookie, digest] of refused)
      expect(await isBoundBrowser(requestWithCookie(cookie), flow, digest), label).toBe(false);
    expect(await isBoundBrowser(requestWithCookie(`${name}=${binding.nonce}`), otherFlow, binding.digest)).toBe(false);
  });
});
