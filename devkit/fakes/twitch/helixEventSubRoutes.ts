import { randomUUID } from "node:crypto";
import { z } from "zod";
import { FakeHttpError } from "../shared/FakeHttpError";
import type { FakeRequest } from "../shared/FakeRequest";
import { createEmptyResponse, createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { parseJsonBody } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import { describeSubscription } from "./EventSubDelivery";
import type { TwitchState } from "./TwitchState";
import type { TwitchEventSubSubscription } from "./twitchControlSchemas";
import { createHelixError, respondInvalidHelixInput } from "./twitchErrors";
import { type HelixCaller, withHelixAuthentication } from "./withHelixAuthentication";

const maximumTotalCost = 10_000;

interface SubscriptionType {
  version: string;
  /** Condition fields; for `oneOf` types exactly one of them must be given. */
  conditionFields: string[];
  oneOf?: boolean;
  /** Scope the condition's user must have granted to the client, and which condition field names that user. */
  authorization?: { scope: string; userField: string };
  /** A rule beyond one scope of one user; false answers 403 like a missing `authorization`. */
  isAuthorized?: (state: TwitchState, clientId: string, condition: Record<string, string>) => boolean;
}

/** The subscription types LiveLoot uses (platform facts §2.9); others answer 400. */
const subscriptionTypes: Record<string, SubscriptionType> = {
  "stream.online": { version: "1", conditionFields: ["broadcaster_user_id"] },
  "stream.offline": { version: "1", conditionFields: ["broadcaster_user_id"] },
  /**
   * https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/#channelfollow: v2, the
   * `moderator_user_id` must have granted `moderator:read:followers` and be the broadcaster or one
   * of their moderators.
   */
  "channel.follow": {
    version: "2",
    conditionFields: ["broadcaster_user_id", "moderator_user_id"],
    authorization: { scope: "moderator:read:followers", userField: "moderator_user_id" },
    isAuthorized: (state, _clientId, condition) => {
      const broadcasterId = condition.broadcaster_user_id ?? "";
      const moderatorId = condition.moderator_user_id ?? "";
      return moderatorId === broadcasterId || state.isModerator(broadcasterId, moderatorId);
    },
  },
  /** https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/#channelsubscribe: `channel:read:subscriptions` of the broadcaster. */
  "channel.subscribe": {
    version: "1",
    conditionFields: ["broadcaster_user_id"],
    authorization: { scope: "channel:read:subscriptions", userField: "broadcaster_user_id" },
  },
  "channel.subscription.gift": {
    version: "1",
    conditionFields: ["broadcaster_user_id"],
    authorization: { scope: "channel:read:subscriptions", userField: "broadcaster_user_id" },
  },
  "channel.cheer": {
    version: "1",
    conditionFields: ["broadcaster_user_id"],
    authorization: { scope: "bits:read", userField: "broadcaster_user_id" },
  },
  /**
   * https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/#channelchatmessage (now
   * https://dev.twitch.tv/docs/eventsub/reference/chat/#channel-chat-message): "Requires
   * user:read:chat scope from chatting user. If app access token used, then additionally requires
   * user:bot scope from chatting user, and either channel:bot scope from broadcaster or moderator
   * status." Webhooks always use an app token, so all of it applies; the chatting user is the
   * condition's `user_id` (the bot), see also https://dev.twitch.tv/docs/chat/authenticating/.
   */
  "channel.chat.message": {
    version: "1",
    conditionFields: ["broadcaster_user_id", "user_id"],
    isAuthorized: (state, clientId, condition) => {
      const broadcasterId = condition.broadcaster_user_id ?? "";
      const readerId = condition.user_id ?? "";
      if (!state.tokens.hasGrantedScope(clientId, readerId, "user:read:chat")) return false;
      if (!state.tokens.hasGrantedScope(clientId, readerId, "user:bot")) return false;
      return (
        state.tokens.hasGrantedScope(clientId, broadcasterId, "channel:bot") ||
        readerId === broadcasterId ||
        state.isModerator(broadcasterId, readerId)
      );
    },
  },
  "channel.raid": {
    version: "1",
    conditionFields: ["to_broadcaster_user_id", "from_broadcaster_user_id"],
    oneOf: true,
  },
};

const createSubscriptionSchema = z.object({
  type: z.string().min(1),
  version: z.string().min(1),
  condition: z.record(z.string(), z.string()),
  transport: z.object({
    method: z.literal("webhook"),
    callback: z.string().min(1),
    secret: z.string().min(10).max(100),
  }),
});

/** Create, list and delete EventSub webhook subscriptions; all need an app access token. */
export function createHelixEventSubRoutes(state: TwitchState): Route[] {
  const pattern = "/helix/eventsub/subscriptions";
  return [
    {
      method: "POST",
      pattern,
      handle: withHelixAuthentication(state, (request, caller) => createSubscription(state, request, caller)),
    },
    {
      method: "GET",
      pattern,
      handle: withHelixAuthentication(state, (request, caller) => listSubscriptions(state, request, caller)),
    },
    {
      method: "DELETE",
      pattern,
      handle: withHelixAuthentication(state, (request, caller) => deleteSubscription(state, request, caller)),
    },
  ];
}

function createSubscription(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  requireAppToken(caller);
  const body = parseJsonBody(request, createSubscriptionSchema, respondInvalidHelixInput);
  const definition = subscriptionTypes[body.type];
  if (definition === undefined) return createHelixError(400, `unsupported subscription type: ${body.type}`);
  if (body.version !== definition.version)
    return createHelixError(400, `unsupported version ${body.version} for ${body.type}`);
  const given = definition.conditionFields.filter((field) => (body.condition[field] ?? "") !== "");
  if (definition.oneOf ? given.length !== 1 : given.length !== definition.conditionFields.length) {
    return createHelixError(
      400,
      `invalid condition for ${body.type}: needs ${definition.conditionFields.join(definition.oneOf ? " or " : " and ")}`,
    );
  }
  if (!isAcceptableCallback(body.transport.callback))
    return createHelixError(400, "invalid transport callback: must be https on port 443");
  if (definition.authorization !== undefined) {
    const authorizingUserId = body.condition[definition.authorization.userField] ?? "";
    if (!state.tokens.hasGrantedScope(caller.clientId, authorizingUserId, definition.authorization.scope)) {
      return createHelixError(403, "subscription missing proper authorization");
    }
  }
  if (definition.isAuthorized !== undefined && !definition.isAuthorized(state, caller.clientId, body.condition)) {
    return createHelixError(403, "subscription missing proper authorization");
  }
  const duplicate = [...state.eventSubSubscriptions.values()].find(
    (existing) =>
      existing.clientId === caller.clientId &&
      existing.type === body.type &&
      existing.version === body.version &&
      existing.transport.callback === body.transport.callback &&
      JSON.stringify(existing.condition) === JSON.stringify(body.condition),
  );
  if (duplicate !== undefined) return createHelixError(409, "subscription already exists");

  const conditionUserId = given.map((field) => body.condition[field] ?? "").find((userId) => userId !== "") ?? "";
  const subscription: TwitchEventSubSubscription = {
    id: randomUUID(),
    status: "webhook_callback_verification_pending",
    type: body.type,
    version: body.version,
    condition: body.condition,
    created_at: new Date(state.now()).toISOString(),
    transport: { method: "webhook", callback: body.transport.callback },
    // Twitch charges nothing for a subscription whose user has authorized the client.
    cost: state.tokens.hasGrantedScope(caller.clientId, conditionUserId, undefined) ? 0 : 1,
    clientId: caller.clientId,
  };
  const totals = summarize(state, caller.clientId);
  if (totals.total_cost + subscription.cost > maximumTotalCost)
    return createHelixError(429, "maximum total cost exceeded");
  state.eventSubSubscriptions.set(subscription.id, subscription);
  state.eventSub.rememberSecret(subscription.id, body.transport.secret);
  // Answered first; the challenge follows on its own, as at Twitch (when delivery is on).
  state.eventSub.verify(subscription);
  return createJsonResponse(202, { data: [describeSubscription(subscription)], ...summarize(state, caller.clientId) });
}

function listSubscriptions(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  requireAppToken(caller);
  const status = request.query.get("status");
  const type = request.query.get("type");
  const userId = request.query.get("user_id");
  const subscriptions = [...state.eventSubSubscriptions.values()].filter(
    (subscription) =>
      subscription.clientId === caller.clientId &&
      (status === null || subscription.status === status) &&
      (type === null || subscription.type === type) &&
      (userId === null || Object.values(subscription.condition).includes(userId)),
  );
  return createJsonResponse(200, {
    data: subscriptions.map(describeSubscription),
    ...summarize(state, caller.clientId),
    pagination: {},
  });
}

function deleteSubscription(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  requireAppToken(caller);
  const id = request.query.get("id");
  if (id === null || id === "") return createHelixError(400, 'Missing required parameter "id"');
  const subscription = state.eventSubSubscriptions.get(id);
  if (subscription === undefined || subscription.clientId !== caller.clientId)
    return createHelixError(404, "subscription not found");
  state.eventSubSubscriptions.delete(id);
  state.eventSub.forgetSubscription(id);
  return createEmptyResponse(204);
}

function requireAppToken(caller: HelixCaller): void {
  if (caller.userId !== undefined)
    throw new FakeHttpError(createHelixError(401, "The Authorization header must contain an app access token."));
}

/**
 * Twitch needs https on port 443. Loopback http is accepted too, so `npm run dev` can subscribe;
 * real Twitch would refuse it.
 */
function isAcceptableCallback(callback: string): boolean {
  if (!URL.canParse(callback)) return false;
  const url = new URL(callback);
  if (url.protocol === "https:") return url.port === "" || url.port === "443";
  return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

function summarize(state: TwitchState, clientId: string) {
  const owned = [...state.eventSubSubscriptions.values()].filter((subscription) => subscription.clientId === clientId);
  return {
    total: owned.length,
    total_cost: owned.reduce((sum, subscription) => sum + subscription.cost, 0),
    max_total_cost: maximumTotalCost,
  };
}
