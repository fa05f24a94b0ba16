import { STATUS_CODES } from "node:http";
import type { z } from "zod";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";

/** Helix error shape: `{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}`. */
export function createHelixError(status: number, message: string, headers: Record<string, string> = {}): FakeResponse {
  return createJsonResponse(status, { error: STATUS_CODES[status] ?? "Error", status, message }, headers);
}

/** id.twitch.tv error shape: `{"status":400,"message":"Invalid refresh token"}`. */
export function createOauthError(status: number, message: string): FakeResponse {
  return createJsonResponse(status, { status, message });
}

/** Turns zod issues on a Helix body or query into Twitch's 400 with a readable message. */
export function respondInvalidHelixInput(issues: z.core.$ZodIssue[]): FakeResponse {
  const first = issues[0];
  const field = first === undefined ? "body" : first.path.map(String).join(".") || "body";
  return createHelixError(400, `Invalid parameter "${field}": ${first?.message ?? "invalid"}`);
}

export function respondInvalidOauthInput(issues: z.core.$ZodIssue[]): FakeResponse {
  const first = issues[0];
  const field = first === undefined ? "request" : first.path.map(String).join(".") || "request";
  return createOauthError(400, `missing or invalid ${field}`);
}
