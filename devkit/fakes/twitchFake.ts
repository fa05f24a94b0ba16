import { createEmptyResponse } from "./shared/FakeResponse";
import type { Route } from "./shared/Router";
import { startFakeServer } from "./shared/startFakeServer";
import { createTwitchFailureResponse } from "./twitch/createTwitchFailureResponse";
import { createHelixChannelFollowersRoute } from "./twitch/helixChannelFollowersRoute";
import { createHelixChatMessagesRoute } from "./twitch/helixChatMessagesRoute";
import { createHelixChattersRoute } from "./twitch/helixChattersRoute";
import { createHelixEventSubRoutes } from "./twitch/helixEventSubRoutes";
import { createHelixStreamsRoute } from "./twitch/helixStreamsRoute";
import { createHelixSubscriptionsRoute } from "./twitch/helixSubscriptionsRoute";
import { createHelixUsersRoute } from "./twitch/helixUsersRoute";
import { type TwitchFakeOptions, TwitchState } from "./twitch/TwitchState";
import { createTwitchControlRoutes } from "./twitch/twitchControlRoutes";
import { createHelixError } from "./twitch/twitchErrors";
import { createTwitchOauthRoutes } from "./twitch/twitchOauthRoutes";

export type { TwitchFakeOptions } from "./twitch/TwitchState";

/**
 * A browser that opens the consent page asks for the site's icon. The fake has none, and this is
 * no call the Worker makes, so it is answered quietly instead of as an unexpected call.
 */
const faviconRoute: Route = { method: "GET", pattern: "/favicon.ico", handle: () => createEmptyResponse(204) };

/** A running Twitch fake: point `TWITCH_AUTH_BASE_URL` at `${url}/oauth2` and `TWITCH_API_BASE_URL` at `${url}/helix`. */
export interface TwitchFake {
  url: string;
  /** The same state the control API changes, for Node tests and `npm run dev`. */
  state: TwitchState;
  stop(): Promise<void>;
}

/** Starts the Twitch fake (id.twitch.tv + Helix) as an HTTP server on 127.0.0.1. */
export async function startTwitchFake(options: TwitchFakeOptions = {}): Promise<TwitchFake> {
  const state = new TwitchState(options);
  const server = await startFakeServer({
    name: "twitch",
    port: options.port ?? 0,
    apiRoutes: [
      ...createTwitchOauthRoutes(state),
      createHelixUsersRoute(state),
      createHelixStreamsRoute(state),
      createHelixChattersRoute(state),
      createHelixChatMessagesRoute(state),
      createHelixChannelFollowersRoute(state),
      createHelixSubscriptionsRoute(state),
      ...createHelixEventSubRoutes(state),
      faviconRoute,
    ],
    controlRoutes: createTwitchControlRoutes(state),
    createFailureResponse: createTwitchFailureResponse,
    createUnexpectedCallResponse: (explanation) => createHelixError(404, explanation),
    findSecretPathSegments: () => [],
    resetState: () => state.reset(),
  });
  return {
    url: server.url,
    state,
    stop: async () => {
      state.eventSub.stop();
      await server.stop();
    },
  };
}
