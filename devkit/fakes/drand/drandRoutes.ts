import { readParam } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import type { DrandState } from "./DrandState";
import { createDrandTextResponse } from "./drandErrors";

/**
 * drand's v1 HTTP API for one chain: `/chains`, `/{hash}/info`, `/{hash}/public/latest`,
 * `/{hash}/public/{round}`. A round exists only once its time has come: before, 404 (a relay
 * answers a future round with 404 too, with a short cache lifetime).
 */
export function createDrandRoutes(state: DrandState): Route[] {
  function checkChain(chainHash: string): FakeResponse | undefined {
    return chainHash === state.chainHash ? undefined : createDrandTextResponse(404, `unknown chain hash ${chainHash}`);
  }

  function answerRound(round: number): FakeResponse {
    const latest = state.latestRound();
    if (round > latest) {
      const secondsLeft = Math.max(1, Math.ceil((state.publishedAt(round) - state.now()) / 1000));
      return createDrandTextResponse(404, "Requested future beacon", {
        "cache-control": `public, must-revalidate, max-age=${Math.min(secondsLeft, state.info.period)}`,
      });
    }
    return createJsonResponse(200, state.signRound(round), {
      "cache-control": "public, max-age=604800, immutable",
    });
  }

  return [
    {
      method: "GET",
      pattern: "/chains",
      handle: () => createJsonResponse(200, [state.chainHash]),
    },
    {
      method: "GET",
      pattern: "/:chainHash/info",
      handle: (request) => checkChain(readParam(request, "chainHash")) ?? createJsonResponse(200, state.info),
    },
    {
      method: "GET",
      pattern: "/:chainHash/public/latest",
      handle: (request) => {
        const unknown = checkChain(readParam(request, "chainHash"));
        if (unknown !== undefined) return unknown;
        const latest = state.latestRound();
        if (latest < 1) return createDrandTextResponse(404, "chain has not started yet");
        return createJsonResponse(200, state.signRound(latest), {
          "cache-control": "public, must-revalidate, max-age=1",
        });
      },
    },
    {
      method: "GET",
      pattern: "/:chainHash/public/:round",
      handle: (request) => {
        const unknown = checkChain(readParam(request, "chainHash"));
        if (unknown !== undefined) return unknown;
        const text = readParam(request, "round");
        if (!/^[0-9]{1,15}$/.test(text) || Number(text) < 1) {
          return createDrandTextResponse(400, `unable to parse round "${text}"`);
        }
        return answerRound(Number(text));
      },
    },
  ];
}
