import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { readFirst, readPage } from "./paginationCursor";
import type { TwitchState } from "./TwitchState";
import { createHelixError } from "./twitchErrors";
import { type HelixCaller, requireScope, requireUserToken, withHelixAuthentication } from "./withHelixAuthentication";

/**
 * Get Channel Followers, https://dev.twitch.tv/docs/api/reference/#get-channel-followers
 * (`GET /helix/channels/followers?broadcaster_id&user_id&first&after`). As documented: "Requires a
 * user access token that includes the moderator:read:followers scope. The ID in the broadcaster_id
 * query parameter must match the user ID in the access token or the user ID in the access token
 * must be a moderator for the specified broadcaster." `first` 1–100 (default 20), newest follow
 * first, `total` is always the channel's follower count (also with `user_id`: the docs' example of
 * a viewer who does not follow answers `{"total": 8, "data": [], "pagination": {}}`).
 *
 * Modelled choices (not confirmed in the stored copies of the docs searched for this fake): an app
 * token or a token without the scope answers 401 (`Missing scope: moderator:read:followers`), like
 * the fake's other routes; a token of someone who is neither the broadcaster nor a moderator
 * answers 200 with `total` only and empty `data` (the reference page's note, as remembered: "only
 * the total follower count will be included"), so a caller must never read an empty `data` as
 * "not a follower" without being sure of its token; `user_id` names one viewer (repeated: 400).
 */
export function createHelixChannelFollowersRoute(state: TwitchState): Route {
  return {
    method: "GET",
    pattern: "/helix/channels/followers",
    handle: withHelixAuthentication(state, (request, caller) => getChannelFollowers(state, request, caller)),
  };
}

function getChannelFollowers(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  const tokenUserId = requireUserToken(caller);
  requireScope(caller, "moderator:read:followers");
  const broadcasterId = request.query.get("broadcaster_id");
  if (broadcasterId === null || broadcasterId === "")
    return createHelixError(400, 'Missing required parameter "broadcaster_id"');
  const userIds = request.query.getAll("user_id");
  if (userIds.length > 1) return createHelixError(400, 'The parameter "user_id" may be specified only once');
  const first = readFirst(request.query.get("first"), 20, 100);
  const follows = [...(state.follows.get(broadcasterId)?.values() ?? [])].sort(
    (one, other) => Date.parse(other.followedAt) - Date.parse(one.followedAt),
  );
  const total = follows.length;
  if (tokenUserId !== broadcasterId && !state.isModerator(broadcasterId, tokenUserId)) {
    return createJsonResponse(200, { total, data: [], pagination: {} });
  }
  const userId = userIds[0];
  const selected = userId === undefined ? follows : follows.filter((follow) => follow.userId === userId);
  const page = readPage(selected, request.query.get("after"), first);
  return createJsonResponse(200, {
    total,
    data: page.items.map((follow) => {
      const account = state.findAccount(follow.userId);
      return {
        user_id: follow.userId,
        user_login: account?.login ?? follow.userId,
        user_name: account?.displayName ?? follow.userId,
        followed_at: follow.followedAt,
      };
    }),
    pagination: page.pagination,
  });
}
