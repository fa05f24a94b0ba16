import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { readFirst, readPage } from "./paginationCursor";
import type { TwitchState } from "./TwitchState";
import { createHelixError } from "./twitchErrors";
import { type HelixCaller, requireScope, requireUserToken, withHelixAuthentication } from "./withHelixAuthentication";

/**
 * Get Chatters. As documented: moderator_id must be the token's user (401 otherwise), and that
 * user must be the broadcaster or one of their moderators (403 otherwise).
 */
export function createHelixChattersRoute(state: TwitchState): Route {
  return {
    method: "GET",
    pattern: "/helix/chat/chatters",
    handle: withHelixAuthentication(state, (request, caller) => getChatters(state, request, caller)),
  };
}

function getChatters(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  const userId = requireUserToken(caller);
  requireScope(caller, "moderator:read:chatters");
  const broadcasterId = request.query.get("broadcaster_id");
  const moderatorId = request.query.get("moderator_id");
  if (broadcasterId === null || broadcasterId === "")
    return createHelixError(400, 'Missing required parameter "broadcaster_id"');
  if (moderatorId === null || moderatorId === "")
    return createHelixError(400, 'Missing required parameter "moderator_id"');
  if (moderatorId !== userId) {
    return createHelixError(401, "The ID in moderator_id must match the user ID found in the request's OAuth token.");
  }
  if (moderatorId !== broadcasterId && !state.isModerator(broadcasterId, moderatorId)) {
    return createHelixError(403, "The user in moderator_id is not one of the broadcaster's moderators.");
  }
  const first = readFirst(request.query.get("first"), 100, 1000);
  const chatters = state.chatters.get(broadcasterId) ?? [];
  const page = readPage(chatters, request.query.get("after"), first);
  return createJsonResponse(200, {
    data: page.items.map((chatter) => ({
      user_id: chatter.id,
      user_login: chatter.login,
      user_name: chatter.displayName ?? chatter.login,
    })),
    pagination: page.pagination,
    total: chatters.length,
  });
}
