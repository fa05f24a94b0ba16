import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { readFirst, readPage } from "./paginationCursor";
import type { TwitchState } from "./TwitchState";
import { createHelixError } from "./twitchErrors";
import { withHelixAuthentication } from "./withHelixAuthentication";

/** Get Streams: only live channels are returned, so empty `data` means offline. */
export function createHelixStreamsRoute(state: TwitchState): Route {
  return {
    method: "GET",
    pattern: "/helix/streams",
    handle: withHelixAuthentication(state, (request) => getStreams(state, request)),
  };
}

function getStreams(state: TwitchState, request: FakeRequest): FakeResponse {
  const userIds = request.query.getAll("user_id");
  const userLogins = request.query.getAll("user_login").map((login) => login.toLowerCase());
  if (userIds.length > 100 || userLogins.length > 100) {
    return createHelixError(400, "The request may specify a maximum of 100 user_id and 100 user_login values");
  }
  const type = request.query.get("type") ?? "all";
  if (type !== "all" && type !== "live") return createHelixError(400, 'The parameter "type" was malformed');
  const first = readFirst(request.query.get("first"), 20, 100);
  const filtered = userIds.length > 0 || userLogins.length > 0;
  const streams = [...state.streams.values()]
    .filter((stream) => {
      if (!filtered) return true;
      const login = state.users.get(stream.broadcasterId)?.login.toLowerCase();
      return userIds.includes(stream.broadcasterId) || (login !== undefined && userLogins.includes(login));
    })
    .sort((one, other) => other.viewerCount - one.viewerCount);
  const page = readPage(streams, request.query.get("after"), first);
  return createJsonResponse(200, {
    data: page.items.map((stream) => {
      const user = state.users.get(stream.broadcasterId);
      const login = user?.login ?? stream.broadcasterId;
      return {
        id: stream.id,
        user_id: stream.broadcasterId,
        user_login: login,
        user_name: user?.displayName ?? login,
        game_id: stream.gameId,
        game_name: stream.gameName,
        type: "live",
        title: stream.title,
        tags: stream.tags,
        viewer_count: stream.viewerCount,
        started_at: stream.startedAt,
        language: stream.language,
        thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${login}-{width}x{height}.jpg`,
        tag_ids: [],
        is_mature: false,
      };
    }),
    pagination: page.pagination,
  });
}
