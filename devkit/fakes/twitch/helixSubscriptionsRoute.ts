import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { readFirst, readPage } from "./paginationCursor";
import type { TwitchState } from "./TwitchState";
import type { TwitchSubscription } from "./twitchControlSchemas";
import { createHelixError } from "./twitchErrors";
import { type HelixCaller, requireScope, requireUserToken, withHelixAuthentication } from "./withHelixAuthentication";

const maximumUserIds = 100;
/** Subscriber points per tier, as Twitch counts them for `points`. */
const pointsByTier: Record<TwitchSubscription["tier"], number> = { "1000": 1, "2000": 2, "3000": 6 };

/**
 * Get Broadcaster Subscriptions, https://dev.twitch.tv/docs/api/reference/#get-broadcaster-subscriptions
 * (`GET /helix/subscriptions?broadcaster_id&user_id…&first&after`). As documented: "Requires a user
 * access token that includes the channel:read:subscriptions scope"; `broadcaster_id` "must match
 * the User ID in the Bearer token" (401 otherwise here, like Get Chatters' moderator_id); `user_id`
 * repeated, "up to 100 IDs" (more: 400), and "if a user_id is specified, it supersedes any
 * cursor/offset combinations"; `first` max 100, default 20. The answer is `{data, pagination,
 * total, points}`, `total` and `points` counting every subscription of the channel.
 */
export function createHelixSubscriptionsRoute(state: TwitchState): Route {
  return {
    method: "GET",
    pattern: "/helix/subscriptions",
    handle: withHelixAuthentication(state, (request, caller) => getBroadcasterSubscriptions(state, request, caller)),
  };
}

function getBroadcasterSubscriptions(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  const tokenUserId = requireUserToken(caller);
  requireScope(caller, "channel:read:subscriptions");
  const broadcasterId = request.query.get("broadcaster_id");
  if (broadcasterId === null || broadcasterId === "")
    return createHelixError(400, 'Missing required parameter "broadcaster_id"');
  if (broadcasterId !== tokenUserId) {
    return createHelixError(401, "The ID in broadcaster_id must match the user ID found in the request's OAuth token.");
  }
  const userIds = request.query.getAll("user_id");
  if (userIds.length > maximumUserIds)
    return createHelixError(400, `The number of user_id parameters must not exceed ${maximumUserIds}`);
  const first = readFirst(request.query.get("first"), 20, 100);
  const subscriptions = [...(state.subscriptions.get(broadcasterId)?.values() ?? [])];
  const summary = {
    total: subscriptions.length,
    points: subscriptions.reduce((sum, subscription) => sum + pointsByTier[subscription.tier], 0),
  };
  const page =
    userIds.length > 0
      ? { items: subscriptions.filter((subscription) => userIds.includes(subscription.userId)), pagination: {} }
      : readPage(subscriptions, request.query.get("after"), first);
  const broadcaster = state.findAccount(broadcasterId);
  return createJsonResponse(200, {
    data: page.items.map((subscription) => {
      const user = state.findAccount(subscription.userId);
      const gifter = subscription.gifterId === null ? undefined : state.findAccount(subscription.gifterId);
      return {
        broadcaster_id: broadcasterId,
        broadcaster_login: broadcaster?.login ?? broadcasterId,
        broadcaster_name: broadcaster?.displayName ?? broadcasterId,
        gifter_id: subscription.gifterId ?? "",
        gifter_login: gifter?.login ?? "",
        gifter_name: gifter?.displayName ?? "",
        is_gift: subscription.isGift,
        tier: subscription.tier,
        plan_name: subscription.planName,
        user_id: subscription.userId,
        user_name: user?.displayName ?? subscription.userId,
        user_login: user?.login ?? subscription.userId,
      };
    }),
    pagination: page.pagination,
    ...summary,
  });
}
