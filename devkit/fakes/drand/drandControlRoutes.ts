import { readParam } from "../shared/FakeRequest";
import { createJsonResponse } from "../shared/FakeResponse";
import { parseJsonBody } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import { respondInvalidControlBody } from "../shared/sharedControlRoutes";
import type { DrandState } from "./DrandState";
import { drandClockInputSchema } from "./drandControlSchemas";

function describeClock(state: DrandState) {
  return { now: state.now(), offsetMilliseconds: state.clockOffsetMilliseconds, latestRound: state.latestRound() };
}

export function createDrandControlRoutes(state: DrandState): Route[] {
  return [
    {
      method: "GET",
      pattern: "/_control/chain",
      handle: () => createJsonResponse(200, state.info),
    },
    {
      method: "GET",
      pattern: "/_control/rounds/:round",
      handle: (request) => {
        const round = Number(readParam(request, "round"));
        if (!Number.isSafeInteger(round) || round < 1) {
          return createJsonResponse(400, {
            error: "invalid control request",
            issues: ["round must be an integer ≥ 1"],
          });
        }
        return createJsonResponse(200, state.signRound(round));
      },
    },
    {
      method: "GET",
      pattern: "/_control/clock",
      handle: () => createJsonResponse(200, describeClock(state)),
    },
    {
      method: "PUT",
      pattern: "/_control/clock",
      handle: (request) => {
        state.clockOffsetMilliseconds = parseJsonBody(
          request,
          drandClockInputSchema,
          respondInvalidControlBody,
        ).offsetMilliseconds;
        return createJsonResponse(200, describeClock(state));
      },
    },
  ];
}
