import type { FailureRule } from "../shared/controlSchemas";
import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { createRateLimitedHeaders } from "./DiscordRateLimiter";

const defaultBodies: Record<number, { message: string; code: number }> = {
  400: { message: "400: Bad Request", code: 0 },
  401: { message: "401: Unauthorized", code: 0 },
  403: { message: "Missing Access", code: 50001 },
  404: { message: "404: Not Found", code: 0 },
  405: { message: "405: Method Not Allowed", code: 0 },
  500: { message: "500: Internal Server Error", code: 0 },
  502: { message: "502: Bad Gateway", code: 0 },
  503: { message: "503: Service Unavailable", code: 0 },
};

/** An injected failure in Discord's shapes; a 429 carries `retry_after`, `Retry-After` and `X-RateLimit-*`. */
export function createDiscordFailureResponse(rule: FailureRule, request: FakeRequest): FakeResponse {
  const status = rule.status ?? 500;
  if (status === 429) {
    const body = rule.body ?? {
      message: "You are being rate limited.",
      retry_after: rule.retryAfterSeconds,
      global: false,
    };
    return createJsonResponse(
      429,
      body,
      createRateLimitedHeaders(`${request.method} ${request.path}`, 5, rule.retryAfterSeconds, false),
    );
  }
  return createJsonResponse(status, rule.body ?? defaultBodies[status] ?? { message: `${status}: Error`, code: 0 });
}
