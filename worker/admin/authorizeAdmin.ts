import type { AppContext } from "../context";
import { AdminError } from "./AdminError";

/**
 * Failed authentications one IP may make per window (from its first attempt) before it gets 429
 * (a 32+ character token is not guessable; this stops noise).
 */
export const maximumFailedAuthentications = 10;
export const failedAuthenticationWindowSeconds = 600;

const unauthorized = () =>
  new AdminError(401, "unauthorized", "Send Authorization: Bearer <ADMIN_API_TOKEN>.", undefined, {
    "www-authenticate": 'Bearer realm="liveloot-admin"',
  });

/**
 * Lets the request through only with `Authorization: Bearer <token>`, compared in constant time
 * (both sides hashed to equal-length digests, then workerd's crypto.subtle.timingSafeEqual).
 *
 * Attempts are counted per IP in Redis (`liveloot:admin:auth-failures:{ip}`). Each attempt takes
 * its place in the count before its token is compared, in one transaction that also starts the
 * window's expiry (`INCR`, `EXPIRE … NX`, `TTL` through `/multi-exec`): parallel guesses cannot all
 * pass a check made before any of them counted, and the count can never be left without an expiry
 * (a key an older deploy left without one gets it on the next attempt). An attempt past the limit
 * gets 429 with `Retry-After` before its token is compared, so the right token is answered exactly
 * like a wrong one while the address is locked out; an attempt with the right token gives its place
 * back. Redis being down does not lock the operator out: the counter is skipped with a warning,
 * since the token's length is what makes guessing hopeless.
 */
export async function authorizeAdmin(app: AppContext, request: Request, token: string): Promise<void> {
  const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
  const key = `liveloot:admin:auth-failures:${ip}`;
  const attempt = await useRedis(app, async () => {
    const [count, , secondsLeft] = await app.redis
      .multi()
      .incr(key)
      .expire(key, failedAuthenticationWindowSeconds, "NX")
      .ttl(key)
      .exec<[number, number, number]>();
    return { count: Number(count), secondsLeft: Number(secondsLeft) };
  });
  if (attempt !== undefined && attempt.count > maximumFailedAuthentications) {
    app.log.warn("admin authentication rate-limited", { ip });
    throw new AdminError(429, "rate_limited", "Too many failed authentications from this address.", undefined, {
      "retry-after": String(attempt.secondsLeft > 0 ? attempt.secondsLeft : failedAuthenticationWindowSeconds),
    });
  }
  const [scheme, given] = (request.headers.get("authorization") ?? "").split(" ", 2);
  if (scheme?.toLowerCase() === "bearer" && given !== undefined && (await isSameSecret(given, token))) {
    // Not a failure: give the place back (the expiry again, should the key have expired meanwhile).
    if (attempt !== undefined) {
      await useRedis(app, () =>
        app.redis.multi().decr(key).expire(key, failedAuthenticationWindowSeconds, "NX").exec(),
      );
    }
    return;
  }
  app.log.warn("admin authentication failed", { ip });
  throw unauthorized();
}

async function isSameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [left, right] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(left, right);
}

async function useRedis<Result>(app: AppContext, use: () => Promise<Result>): Promise<Result | undefined> {
  try {
    return await use();
  } catch (error) {
    app.log.warn("admin authentication counter unavailable; not counting", { error });
    return undefined;
  }
}
