import { z } from "zod";
import { FakeHttpError } from "../shared/FakeHttpError";
import { type FakeRequest, readHeader } from "../shared/FakeRequest";
import {
  createEmptyResponse,
  createHtmlResponse,
  createJsonResponse,
  createRedirectResponse,
  type FakeResponse,
} from "../shared/FakeResponse";
import { parseFormBody, parseValue } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import { renderAuthorizePage } from "./renderAuthorizePage";
import type { TwitchState } from "./TwitchState";
import { type IssuedTokens, readExpiresInSeconds } from "./TwitchTokenStore";
import type { TwitchApp } from "./twitchControlSchemas";
import { createOauthError, respondInvalidOauthInput } from "./twitchErrors";

const authorizeQuerySchema = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  response_type: z.string(),
  scope: z.string(),
  state: z.string().optional(),
  force_verify: z.enum(["true", "false"]).optional(),
});

const authorizeDecisionSchema = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  scope: z.string(),
  state: z.string().optional(),
  decision: z.enum(["authorize", "cancel"]),
  user_id: z.string().optional(),
  login: z.string().optional(),
});

const tokenRequestSchema = z.object({
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  grant_type: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  refresh_token: z.string().optional(),
});

const revokeRequestSchema = z.object({ client_id: z.string().optional(), token: z.string().optional() });

/** id.twitch.tv: authorize (with the fake's consent page), token, validate, revoke. */
export function createTwitchOauthRoutes(state: TwitchState): Route[] {
  return [
    { method: "GET", pattern: "/oauth2/authorize", handle: (request) => showAuthorizePage(state, request) },
    { method: "POST", pattern: "/oauth2/authorize", handle: (request) => decideAuthorization(state, request) },
    { method: "POST", pattern: "/oauth2/token", handle: (request) => issueToken(state, request) },
    { method: "GET", pattern: "/oauth2/validate", handle: (request) => validateToken(state, request) },
    { method: "POST", pattern: "/oauth2/revoke", handle: (request) => revokeToken(state, request) },
  ];
}

function showAuthorizePage(state: TwitchState, request: FakeRequest): FakeResponse {
  const query = parseValue(Object.fromEntries(request.query), authorizeQuerySchema, respondInvalidOauthInput);
  const app = findAppForRedirect(state, query.client_id, query.redirect_uri);
  if (query.response_type !== "code") throw new FakeHttpError(createOauthError(400, "unsupported response_type"));
  return createHtmlResponse(
    200,
    renderAuthorizePage({
      clientId: app.clientId,
      redirectUri: query.redirect_uri,
      scopes: splitScopes(query.scope),
      state: query.state,
      users: state.listSignInAccounts(),
    }),
  );
}

function decideAuthorization(state: TwitchState, request: FakeRequest): FakeResponse {
  const form = parseFormBody(request, authorizeDecisionSchema, respondInvalidOauthInput);
  const app = findAppForRedirect(state, form.client_id, form.redirect_uri);
  const redirect = new URL(form.redirect_uri);
  if (form.decision === "cancel") {
    redirect.searchParams.set("error", "access_denied");
    redirect.searchParams.set("error_description", "The user denied you access");
  } else {
    const login = form.login?.trim().toLowerCase();
    const user = state.resolveSignInAccount(
      login !== undefined && login !== "" ? { login } : form.user_id === undefined ? {} : { userId: form.user_id },
    );
    if (user === undefined) throw new FakeHttpError(createOauthError(400, "pick a user or type a login"));
    const scopes = splitScopes(form.scope);
    const code = state.tokens.createAuthorizationCode(app.clientId, user.id, form.redirect_uri, scopes);
    redirect.searchParams.set("code", code.code);
    redirect.searchParams.set("scope", scopes.join(" "));
  }
  if (form.state !== undefined && form.state !== "") redirect.searchParams.set("state", form.state);
  return createRedirectResponse(redirect.toString());
}

function issueToken(state: TwitchState, request: FakeRequest): FakeResponse {
  // Twitch reads these parameters from the query string as well as from the form body.
  const fields = { ...Object.fromEntries(request.query), ...Object.fromEntries(new URLSearchParams(request.bodyText)) };
  const form = parseValue(fields, tokenRequestSchema, respondInvalidOauthInput);
  if (form.client_id === undefined) return createOauthError(400, "missing client id");
  const app = state.apps.get(form.client_id);
  if (app === undefined) return createOauthError(400, "invalid client");
  if (form.client_secret !== app.clientSecret) return createOauthError(403, "invalid client secret");

  switch (form.grant_type) {
    case "authorization_code": {
      if (form.code === undefined) return createOauthError(400, "missing code");
      if (form.redirect_uri === undefined) return createOauthError(400, "missing redirect_uri");
      const code = state.tokens.takeAuthorizationCode(form.code, app.clientId);
      if (code === undefined) return createOauthError(400, "Invalid authorization code");
      if (code.redirectUri !== form.redirect_uri)
        return createOauthError(400, "Parameter redirect_uri does not match registered URI");
      return answerIssuedTokens(state.tokens.issueUserTokens(app.clientId, code.userId, code.scopes));
    }
    case "refresh_token": {
      if (form.refresh_token === undefined) return createOauthError(400, "missing refresh token");
      const issued = state.tokens.rotateRefreshToken(app.clientId, form.refresh_token);
      if (issued === undefined) return createOauthError(400, "Invalid refresh token");
      return answerIssuedTokens(issued);
    }
    case "client_credentials": {
      const accessToken = state.tokens.issueAppToken(app.clientId);
      return createJsonResponse(200, {
        access_token: accessToken.token,
        expires_in: readExpiresInSeconds(accessToken),
        token_type: "bearer",
      });
    }
    default:
      return createOauthError(400, "unsupported grant type");
  }
}

function answerIssuedTokens(issued: IssuedTokens): FakeResponse {
  return createJsonResponse(200, {
    access_token: issued.accessToken.token,
    expires_in: readExpiresInSeconds(issued.accessToken),
    refresh_token: issued.refreshToken?.token,
    scope: issued.accessToken.scopes,
    token_type: "bearer",
  });
}

function validateToken(state: TwitchState, request: FakeRequest): FakeResponse {
  const authorization = readHeader(request, "authorization");
  if (authorization === undefined) return createOauthError(401, "missing authorization token");
  // Twitch documents the literal scheme `OAuth` here, unlike Helix's `Bearer`.
  const match = /^OAuth (.+)$/.exec(authorization);
  const accessToken = match?.[1] === undefined ? undefined : state.tokens.findLiveAccessToken(match[1]);
  if (accessToken === undefined) return createOauthError(401, "invalid access token");
  accessToken.validationCount += 1;
  accessToken.lastValidatedAtMilliseconds = Date.now();
  const base = {
    client_id: accessToken.clientId,
    scopes: accessToken.scopes,
    expires_in: readExpiresInSeconds(accessToken),
  };
  if (accessToken.userId === undefined) return createJsonResponse(200, base);
  const login = state.users.get(accessToken.userId)?.login ?? accessToken.userId;
  return createJsonResponse(200, {
    client_id: base.client_id,
    login,
    scopes: base.scopes,
    user_id: accessToken.userId,
    expires_in: base.expires_in,
  });
}

function revokeToken(state: TwitchState, request: FakeRequest): FakeResponse {
  const fields = { ...Object.fromEntries(request.query), ...Object.fromEntries(new URLSearchParams(request.bodyText)) };
  const form = parseValue(fields, revokeRequestSchema, respondInvalidOauthInput);
  if (form.client_id === undefined || !state.apps.has(form.client_id))
    return createOauthError(404, "client does not exist");
  if (form.token === undefined || !state.tokens.revokeToken(form.client_id, form.token))
    return createOauthError(400, "Invalid token");
  return createEmptyResponse(200);
}

function findAppForRedirect(state: TwitchState, clientId: string, redirectUri: string): TwitchApp {
  const app = state.apps.get(clientId);
  if (app === undefined) throw new FakeHttpError(createOauthError(400, "invalid client"));
  if (app.redirectUris.length > 0 && !app.redirectUris.includes(redirectUri)) {
    throw new FakeHttpError(createOauthError(400, "Parameter redirect_uri does not match registered URI"));
  }
  if (!URL.canParse(redirectUri)) throw new FakeHttpError(createOauthError(400, "invalid redirect_uri"));
  return app;
}

function splitScopes(scope: string): string[] {
  return scope.split(/\s+/).filter((item) => item !== "");
}
