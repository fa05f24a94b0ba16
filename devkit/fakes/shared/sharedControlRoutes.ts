import type { z } from "zod";
import type { CallRecorder } from "./CallRecorder";
import { callFilterSchema, failureRuleInputSchema, latencySchema } from "./controlSchemas";
import type { FailureInjector } from "./FailureInjector";
import { readParam } from "./FakeRequest";
import { createEmptyResponse, createJsonResponse, type FakeResponse } from "./FakeResponse";
import { parseJsonBody, parseValue } from "./parseBody";
import type { Route } from "./Router";

/** Control bodies are our own test code: a bad one is a 400 that names the zod issues. */
export function respondInvalidControlBody(issues: z.core.$ZodIssue[]): FakeResponse {
  return createJsonResponse(400, { error: "invalid control request", issues });
}

/** Routes every fake has: calls, unexpected calls, failures, latency, reset. */
export function createSharedControlRoutes(
  recorder: CallRecorder,
  failures: FailureInjector,
  resetAll: () => void,
): Route[] {
  return [
    {
      method: "GET",
      pattern: "/_control/calls",
      handle: (request) =>
        createJsonResponse(
          200,
          recorder.listCalls(
            parseValue(Object.fromEntries(request.query), callFilterSchema, respondInvalidControlBody),
            false,
          ),
        ),
    },
    {
      method: "GET",
      pattern: "/_control/unexpected-calls",
      handle: (request) =>
        createJsonResponse(
          200,
          recorder.listCalls(
            parseValue(Object.fromEntries(request.query), callFilterSchema, respondInvalidControlBody),
            true,
          ),
        ),
    },
    {
      method: "POST",
      pattern: "/_control/failures",
      handle: (request) =>
        createJsonResponse(
          201,
          failures.addRule(parseJsonBody(request, failureRuleInputSchema, respondInvalidControlBody)),
        ),
    },
    {
      method: "GET",
      pattern: "/_control/failures",
      handle: () => createJsonResponse(200, { failures: failures.listRules() }),
    },
    {
      method: "DELETE",
      pattern: "/_control/failures/:failureId",
      handle: (request) => createEmptyResponse(failures.removeRule(readParam(request, "failureId")) ? 204 : 404),
    },
    {
      method: "PUT",
      pattern: "/_control/latency",
      handle: (request) => {
        failures.latencyMilliseconds = parseJsonBody(request, latencySchema, respondInvalidControlBody).milliseconds;
        return createEmptyResponse(204);
      },
    },
    {
      method: "POST",
      pattern: "/_control/reset",
      handle: () => {
        resetAll();
        return createEmptyResponse(204);
      },
    },
  ];
}
