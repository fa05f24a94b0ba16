import type { AppContext } from "../context";
import { AdminError } from "./AdminError";

/** Failed authentications one IP may make per window before it gets 429 (a 32+ character token is not guessable; this stops noise). */
export const maximumFailedAuthentications = 10;
export const failedAuthenticationWindowSeconds = 600;

const unauthorized = () =>
  new AdminError(401, "unauthorized", "Send Authorization: Bearer <ADMIN_API_TOKEN>.", undefined, {
    "www-authenticate": 'Bearer realm="liveloot-admin"',
  });

/**
 * Lets the request through only with `Authorization: Bearer <token>`, compared in constant time
 * (both sides hashed to equal-length digests, then workerd's crypto.subtle.timingSafeEqual).
 * Failures are counted per IP in Redis (`liveloot:admin:auth-failures:{ip}`); an IP over the limit gets
 * 429 before its token is even compared. Redis being down does not lock the operator out: the
 * counter is skipped with a warning, since the token's length is what makes guessing hopeless.
 */
export async function authorizeAdmin(app: AppContext, request: Request, token: string): Promise<void> {
  const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
  const key = `liveloot:admin:auth-failures:${ip}`;
  const failures = await readRedis(app, () => app.redis.get<number>(key));
  if (failures !== undefined && Number(failures) >= maximumFailedAuthentications) {
    const retryAfter = await readRedis(app, () => app.redis.ttl(key));
    app.log.warn("admin authentication rate-limited", { ip });
    throw new AdminError(429, "rate_limited", "Too many failed authentications from this address.", undefined, {
      "retry-after": String(
        retryAfter !== undefined && retryAfter > 0 ? retryAfter : failedAuthenticationWindowSeconds,
      ),
    });
  }
  const [scheme, given] = (request.headers.get("authorization") ?? "").split(" ", 2);
  if (scheme?.toLowerCase() === "bearer" && given !== undefined && (await isSameSecret(given, token))) return;
  await readRedis(app, async () => {
    const count = await app.redis.incr(key);
    if (count === 1) await app.redis.expire(key, failedAuthenticationWindowSeconds);
    return count;
  });
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

async function readRedis<Result>(app: AppContext, read: () => Promise<Result>): Promise<Result | undefined> {
  try {
    return await read();
  } catch (error) {
    app.log.warn("admin authentication counter unavailable; not counting", { error });
    return undefined;
  }
}
