import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import type { TwitchState } from "./TwitchState";
import type { TwitchUser } from "./twitchControlSchemas";
import { createHelixError } from "./twitchErrors";
import { type HelixCaller, withHelixAuthentication } from "./withHelixAuthentication";

/** Get Users: by repeated `id` / `login` (100 combined), or the token's own user without parameters. */
export function createHelixUsersRoute(state: TwitchState): Route {
  return {
    method: "GET",
    pattern: "/helix/users",
    handle: withHelixAuthentication(state, (request, caller) => getUsers(state, request, caller)),
  };
}

function getUsers(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  const ids = request.query.getAll("id");
  const logins = request.query.getAll("login").map((login) => login.toLowerCase());
  if (ids.length + logins.length > 100)
    return createHelixError(400, "The sum of the id and login parameters must not exceed 100");
  let users: TwitchUser[];
  if (ids.length === 0 && logins.length === 0) {
    if (caller.userId === undefined) return createHelixError(400, "Must provide an ID, Login or OAuth Token");
    const self = state.users.get(caller.userId);
    users = self === undefined ? [] : [self];
  } else {
    users = [...state.users.values()].filter(
      (user) => ids.includes(user.id) || logins.includes(user.login.toLowerCase()),
    );
  }
  return createJsonResponse(200, { data: users.map((user) => describeUser(user, caller)) });
}

function describeUser(user: TwitchUser, caller: HelixCaller) {
  const showsEmail = caller.userId === user.id && caller.scopes.includes("user:read:email") && user.email !== undefined;
  return {
    id: user.id,
    login: user.login,
    display_name: user.displayName ?? user.login,
    type: "",
    broadcaster_type: user.broadcasterType,
    description: user.description,
    profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${user.id}-profile_image-300x300.png`,
    offline_image_url: "",
    view_count: 0,
    ...(showsEmail ? { email: user.email } : {}),
    created_at: user.createdAt,
  };
}
