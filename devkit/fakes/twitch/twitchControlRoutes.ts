import { z } from "zod";
import { describeSecret } from "../shared/describeSecret";
import { readParam } from "../shared/FakeRequest";
import { createEmptyResponse, createJsonResponse } from "../shared/FakeResponse";
import { parseJsonBody, parseValue } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import { respondInvalidControlBody } from "../shared/sharedControlRoutes";
import type { TwitchState } from "./TwitchState";
import {
  type TwitchTokenStatus,
  twitchAppSchema,
  twitchAuthorizationCodeInputSchema,
  twitchChattersInputSchema,
  twitchDropReasonSchema,
  twitchEventSubFaultInputSchema,
  twitchEventSubStatusSchema,
  twitchFollowInputSchema,
  twitchFollowsInputSchema,
  twitchModeratorSchema,
  twitchRateLimitSchema,
  twitchSettingsSchema,
  twitchStreamSchema,
  twitchSubscriptionInputSchema,
  twitchSubscriptionsInputSchema,
  twitchTokenLifetimeSchema,
  twitchUserCreatedAtSchema,
  twitchUserSchema,
  twitchViewerChatMessageInputSchema,
} from "./twitchControlSchemas";

const deliveryFilterSchema = z.object({
  since: z.coerce.number().int().optional(),
  subscriptionId: z.string().optional(),
  broadcasterId: z.string().optional(),
  messageType: z.string().optional(),
});

/** The Twitch fake's own `/_control/…` routes (the shared ones are added by the server). */
export function createTwitchControlRoutes(state: TwitchState): Route[] {
  return [
    {
      method: "POST",
      pattern: "/_control/apps",
      handle: (request) =>
        createJsonResponse(201, state.registerApp(parseJsonBody(request, twitchAppSchema, respondInvalidControlBody))),
    },
    {
      method: "PUT",
      pattern: "/_control/users",
      handle: (request) => {
        const users = parseJsonBody(
          request,
          z.object({ users: z.array(twitchUserSchema) }),
          respondInvalidControlBody,
        ).users;
        return createJsonResponse(200, { users: users.map((user) => state.upsertUser(user)) });
      },
    },
    {
      method: "PUT",
      pattern: "/_control/streams/:broadcasterId",
      handle: (request) => {
        const stream = parseJsonBody(request, twitchStreamSchema.optional(), respondInvalidControlBody);
        return createJsonResponse(200, state.setLive(readParam(request, "broadcasterId"), stream));
      },
    },
    {
      method: "DELETE",
      pattern: "/_control/streams/:broadcasterId",
      handle: (request) => {
        state.setOffline(readParam(request, "broadcasterId"));
        return createEmptyResponse(204);
      },
    },
    {
      method: "PUT",
      pattern: "/_control/chatters/:broadcasterId",
      handle: (request) => {
        const input = parseJsonBody(request, twitchChattersInputSchema, respondInvalidControlBody);
        return createJsonResponse(200, { total: state.setChatters(readParam(request, "broadcasterId"), input) });
      },
    },
    {
      method: "POST",
      pattern: "/_control/moderators",
      handle: (request) => {
        const { broadcasterId, moderatorId } = parseJsonBody(request, twitchModeratorSchema, respondInvalidControlBody);
        state.addModerator(broadcasterId, moderatorId);
        return createEmptyResponse(204);
      },
    },
    {
      method: "PUT",
      pattern: "/_control/token-lifetimes",
      handle: (request) => {
        state.tokens.setLifetime(parseJsonBody(request, twitchTokenLifetimeSchema, respondInvalidControlBody));
        return createEmptyResponse(204);
      },
    },
    {
      method: "POST",
      pattern: "/_control/users/:userId/expire-access-tokens",
      handle: (request) =>
        createJsonResponse(200, { count: state.tokens.expireAccessTokensOfUser(readParam(request, "userId")) }),
    },
    {
      method: "POST",
      pattern: "/_control/users/:userId/revoke-refresh-tokens",
      handle: (request) =>
        createJsonResponse(200, { count: state.tokens.revokeRefreshTokensOfUser(readParam(request, "userId")) }),
    },
    {
      method: "GET",
      pattern: "/_control/users/:userId/tokens",
      handle: async (request) =>
        createJsonResponse(200, { tokens: await listTokenStatus(state, readParam(request, "userId")) }),
    },
    {
      method: "POST",
      pattern: "/_control/authorization-codes",
      handle: (request) => {
        const input = parseJsonBody(request, twitchAuthorizationCodeInputSchema, respondInvalidControlBody);
        const code = state.tokens.createAuthorizationCode(
          input.clientId,
          input.userId,
          input.redirectUri,
          input.scopes,
        );
        return createJsonResponse(201, { code: code.code });
      },
    },
    {
      method: "PUT",
      pattern: "/_control/rate-limits",
      handle: (request) => {
        const { clientId, userId, limit } = parseJsonBody(request, twitchRateLimitSchema, respondInvalidControlBody);
        state.rateLimiter.setLimit(clientId, userId, limit);
        return createEmptyResponse(204);
      },
    },
    {
      method: "GET",
      pattern: "/_control/eventsub-subscriptions",
      handle: (request) => {
        const clientId = request.query.get("clientId");
        const subscriptions = [...state.eventSubSubscriptions.values()].filter(
          (subscription) => clientId === null || subscription.clientId === clientId,
        );
        return createJsonResponse(200, { subscriptions });
      },
    },
    {
      method: "PUT",
      pattern: "/_control/eventsub-subscriptions/:subscriptionId/status",
      handle: (request) => {
        const subscription = state.eventSubSubscriptions.get(readParam(request, "subscriptionId"));
        if (subscription === undefined) return createJsonResponse(404, { error: "no such subscription" });
        subscription.status = parseJsonBody(request, twitchEventSubStatusSchema, respondInvalidControlBody).status;
        return createJsonResponse(200, subscription);
      },
    },
    {
      method: "GET",
      pattern: "/_control/settings",
      handle: () => createJsonResponse(200, { eventSubDelivery: state.eventSub.enabled }),
    },
    {
      method: "PUT",
      pattern: "/_control/settings",
      handle: (request) => {
        const settings = parseJsonBody(request, twitchSettingsSchema, respondInvalidControlBody);
        if (settings.eventSubDelivery !== undefined) state.eventSub.enabled = settings.eventSubDelivery;
        return createJsonResponse(200, { eventSubDelivery: state.eventSub.enabled });
      },
    },
    {
      method: "POST",
      pattern: "/_control/eventsub-faults",
      handle: (request) =>
        createJsonResponse(
          201,
          state.eventSub.addFault(parseJsonBody(request, twitchEventSubFaultInputSchema, respondInvalidControlBody)),
        ),
    },
    {
      method: "GET",
      pattern: "/_control/eventsub-faults",
      handle: () => createJsonResponse(200, { faults: state.eventSub.listFaults() }),
    },
    {
      method: "DELETE",
      pattern: "/_control/eventsub-faults/:faultId",
      handle: (request) => createEmptyResponse(state.eventSub.removeFault(readParam(request, "faultId")) ? 204 : 404),
    },
    {
      method: "GET",
      pattern: "/_control/eventsub-deliveries",
      handle: (request) => {
        const filter = parseValue(Object.fromEntries(request.query), deliveryFilterSchema, respondInvalidControlBody);
        return createJsonResponse(200, state.eventSub.listDeliveries(filter));
      },
    },
    {
      method: "GET",
      pattern: "/_control/chat-messages",
      handle: (request) => {
        const broadcasterId = request.query.get("broadcasterId");
        const messages = state.chatMessages.filter(
          (message) => broadcasterId === null || message.broadcasterId === broadcasterId,
        );
        return createJsonResponse(200, { messages });
      },
    },
    {
      method: "PUT",
      pattern: "/_control/chat-drops/:broadcasterId",
      handle: (request) => {
        state.chatDropReasons.set(
          readParam(request, "broadcasterId"),
          parseJsonBody(request, twitchDropReasonSchema, respondInvalidControlBody),
        );
        return createEmptyResponse(204);
      },
    },
    {
      method: "DELETE",
      pattern: "/_control/chat-drops/:broadcasterId",
      handle: (request) => {
        state.chatDropReasons.delete(readParam(request, "broadcasterId"));
        return createEmptyResponse(204);
      },
    },
    ...createGateControlRoutes(state),
  ];
}

/** Follows, subscriptions, account ages and viewers' chat messages: what the raffle gates read. */
function createGateControlRoutes(state: TwitchState): Route[] {
  return [
    {
      method: "PUT",
      pattern: "/_control/follows/:broadcasterId",
      handle: (request) => {
        const { follows } = parseJsonBody(request, twitchFollowsInputSchema, respondInvalidControlBody);
        return createJsonResponse(200, { follows: state.setFollows(readParam(request, "broadcasterId"), follows) });
      },
    },
    {
      method: "PUT",
      pattern: "/_control/follows/:broadcasterId/:userId",
      handle: (request) => {
        const input = parseJsonBody(
          request,
          twitchFollowInputSchema.omit({ userId: true }).optional(),
          respondInvalidControlBody,
        );
        const [follow] = state.setFollows(readParam(request, "broadcasterId"), [
          { ...input, userId: readParam(request, "userId") },
        ]);
        return createJsonResponse(200, follow);
      },
    },
    {
      method: "DELETE",
      pattern: "/_control/follows/:broadcasterId/:userId",
      handle: (request) =>
        createEmptyResponse(
          state.removeFollow(readParam(request, "broadcasterId"), readParam(request, "userId")) ? 204 : 404,
        ),
    },
    {
      method: "PUT",
      pattern: "/_control/subscriptions/:broadcasterId",
      handle: (request) => {
        const { subscriptions } = parseJsonBody(request, twitchSubscriptionsInputSchema, respondInvalidControlBody);
        return createJsonResponse(200, {
          subscriptions: state.setSubscriptions(readParam(request, "broadcasterId"), subscriptions),
        });
      },
    },
    {
      method: "PUT",
      pattern: "/_control/subscriptions/:broadcasterId/:userId",
      handle: (request) => {
        const input = parseJsonBody(
          request,
          twitchSubscriptionInputSchema.omit({ userId: true }).optional(),
          respondInvalidControlBody,
        );
        const [subscription] = state.setSubscriptions(readParam(request, "broadcasterId"), [
          { ...input, userId: readParam(request, "userId") },
        ]);
        return createJsonResponse(200, subscription);
      },
    },
    {
      method: "DELETE",
      pattern: "/_control/subscriptions/:broadcasterId/:userId",
      handle: (request) =>
        createEmptyResponse(
          state.removeSubscription(readParam(request, "broadcasterId"), readParam(request, "userId")) ? 204 : 404,
        ),
    },
    {
      method: "PUT",
      pattern: "/_control/users/:userId/created-at",
      handle: (request) => {
        const { createdAt } = parseJsonBody(request, twitchUserCreatedAtSchema, respondInvalidControlBody);
        return createJsonResponse(200, state.setUserCreatedAt(readParam(request, "userId"), createdAt));
      },
    },
    {
      method: "POST",
      pattern: "/_control/chat/:broadcasterId/viewer-messages",
      handle: (request) => {
        const input = parseJsonBody(request, twitchViewerChatMessageInputSchema, respondInvalidControlBody);
        return createJsonResponse(201, state.postViewerChatMessage(readParam(request, "broadcasterId"), input));
      },
    },
  ];
}

async function listTokenStatus(state: TwitchState, userId: string): Promise<TwitchTokenStatus[]> {
  const now = Date.now();
  const describeTime = (milliseconds: number | undefined) =>
    milliseconds === undefined ? null : new Date(milliseconds).toISOString();
  const accessTokens = await Promise.all(
    state.tokens.listAccessTokensOfUser(userId).map(async (accessToken) => ({
      kind: "access" as const,
      tokenDescription: await describeSecret(accessToken.token),
      clientId: accessToken.clientId,
      userId,
      scopes: accessToken.scopes,
      issuedAt: new Date(accessToken.issuedAtMilliseconds).toISOString(),
      expiresAt: new Date(accessToken.expiresAtMilliseconds).toISOString(),
      expired: accessToken.expiresAtMilliseconds <= now,
      revoked: accessToken.revoked,
      used: false,
      validationCount: accessToken.validationCount,
      lastValidatedAt: describeTime(accessToken.lastValidatedAtMilliseconds),
    })),
  );
  const refreshTokens = await Promise.all(
    state.tokens.listRefreshTokensOfUser(userId).map(async (refreshToken) => ({
      kind: "refresh" as const,
      tokenDescription: await describeSecret(refreshToken.token),
      clientId: refreshToken.clientId,
      userId,
      scopes: refreshToken.scopes,
      issuedAt: new Date(refreshToken.issuedAtMilliseconds).toISOString(),
      expiresAt: null,
      expired: false,
      revoked: refreshToken.revoked,
      used: refreshToken.used,
      validationCount: 0,
      lastValidatedAt: null,
    })),
  );
  return [...accessTokens, ...refreshTokens];
}
