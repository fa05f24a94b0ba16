import { STATUS_CODES } from "node:http";
import type { FailureRule } from "../shared/controlSchemas";
import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { createRateLimitHeaders } from "./TwitchRateLimiter";

/** An injected failure in Twitch's shapes: Helix `{error,status,message}`, id.twitch.tv `{status,message}`. */
export function createTwitchFailureResponse(rule: FailureRule, request: FakeRequest): FakeResponse {
  const status = rule.status ?? 500;
  const statusText = STATUS_CODES[status] ?? "Error";
  const isHelix = request.path.startsWith("/helix/");
  // Helix answers always carry the Ratelimit-* headers; a 429 says the bucket is empty until the reset.
  const resetEpochSeconds = Math.ceil(Date.now() / 1000 + (status === 429 ? rule.retryAfterSeconds : 60));
  const headers =
    isHelix || status === 429 ? createRateLimitHeaders(800, status === 429 ? 0 : 799, resetEpochSeconds) : {};
  const defaultBody = isHelix
    ? { error: statusText, status, message: "injected by the Twitch fake" }
    : { status, message: statusText };
  return createJsonResponse(status, rule.body ?? defaultBody, headers);
}
