import { FakeHttpError } from "../shared/FakeHttpError";
import { type FakeRequest, readHeader } from "../shared/FakeRequest";
import type { FakeResponse } from "../shared/FakeResponse";
import type { RouteHandler } from "../shared/Router";
import type { TwitchState } from "./TwitchState";
import type { AccessToken } from "./TwitchTokenStore";
import { createHelixError } from "./twitchErrors";

/** Who is calling Helix: the live token behind `Authorization: Bearer` and its client. */
export interface HelixCaller {
  accessToken: AccessToken;
  clientId: string;
  /** Undefined for an app access token. */
  userId: string | undefined;
  scopes: string[];
}

export type HelixHandler = (request: FakeRequest, caller: HelixCaller) => FakeResponse | Promise<FakeResponse>;

/**
 * Wraps a Helix handler: checks Bearer token and Client-Id like Twitch (401 otherwise), takes a
 * point from the caller's bucket (429 when empty) and puts the Ratelimit-* headers on the answer.
 */
export function withHelixAuthentication(state: TwitchState, handle: HelixHandler): RouteHandler {
  return async (request) => {
    const caller = authenticateHelixCaller(state, request);
    const decision = state.rateLimiter.takePoint(caller.clientId, caller.userId);
    if (!decision.allowed) return createHelixError(429, "Too Many Requests", decision.headers);
    let response: FakeResponse;
    try {
      response = await handle(request, caller);
    } catch (error) {
      if (!(error instanceof FakeHttpError)) throw error;
      response = error.response;
    }
    return { ...response, headers: { ...response.headers, ...decision.headers } };
  };
}

function authenticateHelixCaller(state: TwitchState, request: FakeRequest): HelixCaller {
  const authorization = readHeader(request, "authorization");
  if (authorization === undefined || authorization.trim() === "") {
    throw new FakeHttpError(createHelixError(401, "OAuth token is missing"));
  }
  const match = /^Bearer (.+)$/.exec(authorization);
  const clientId = readHeader(request, "client-id");
  if (clientId === undefined || clientId === "") throw new FakeHttpError(createHelixError(401, "Client ID is missing"));
  const accessToken = match?.[1] === undefined ? undefined : state.tokens.findLiveAccessToken(match[1]);
  if (accessToken === undefined) throw new FakeHttpError(createHelixError(401, "Invalid OAuth token"));
  if (accessToken.clientId !== clientId)
    throw new FakeHttpError(createHelixError(401, "Client ID and OAuth token do not match"));
  return { accessToken, clientId, userId: accessToken.userId, scopes: accessToken.scopes };
}

/** 401 like Twitch when the token lacks a scope. */
export function requireScope(caller: HelixCaller, scope: string): void {
  if (!caller.scopes.includes(scope)) throw new FakeHttpError(createHelixError(401, `Missing scope: ${scope}`));
}

/** 401 when the endpoint needs a user access token and got an app token. */
export function requireUserToken(caller: HelixCaller): string {
  if (caller.userId === undefined)
    throw new FakeHttpError(createHelixError(401, "This endpoint requires a user access token"));
  return caller.userId;
}
