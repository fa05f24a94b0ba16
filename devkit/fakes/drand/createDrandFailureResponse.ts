import type { FailureRule } from "../shared/controlSchemas";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { createDrandTextResponse } from "./drandErrors";

/** An injected failure, with a plain-text body like a relay's unless the rule gives one. */
export function createDrandFailureResponse(rule: FailureRule): FakeResponse {
  const status = rule.status ?? 500;
  if (rule.body !== undefined) return createJsonResponse(status, rule.body);
  const headers: Record<string, string> = status === 429 ? { "retry-after": String(rule.retryAfterSeconds) } : {};
  return createDrandTextResponse(status, `injected failure: status ${status}`, headers);
}
