import { createAttachmentControlRoute, createAttachmentRoute } from "./discord/attachmentRoutes";
import { createChannelMessageRoute } from "./discord/channelMessageRoute";
import { createCommandRoutes } from "./discord/commandRoutes";
import { createDiscordFailureResponse } from "./discord/createDiscordFailureResponse";
import { type DiscordFakeOptions, DiscordState } from "./discord/DiscordState";
import { createDiscordControlRoutes } from "./discord/discordControlRoutes";
import { createEditChannelMessageRoute } from "./discord/editChannelMessageRoute";
import { createGuildRoutes } from "./discord/guildRoutes";
import { createInteractionCallbackRoute } from "./discord/interactionCallbackRoute";
import { createWebhookRoutes } from "./discord/webhookRoutes";
import { createJsonResponse } from "./shared/FakeResponse";
import { startFakeServer } from "./shared/startFakeServer";

export type { DiscordFakeOptions } from "./discord/DiscordState";

/** A running Discord fake: point `DISCORD_API_BASE_URL` at `${url}/api/v10`. */
export interface DiscordFake {
  url: string;
  /** The same state the control API changes, for Node tests and `npm run dev`. */
  state: DiscordState;
  stop(): Promise<void>;
}

/** Starts the Discord REST fake as an HTTP server on 127.0.0.1. */
export async function startDiscordFake(options: DiscordFakeOptions = {}): Promise<DiscordFake> {
  const state = new DiscordState(options);
  const server = await startFakeServer({
    name: "discord",
    port: options.port ?? 0,
    apiRoutes: [
      ...createCommandRoutes(state),
      createChannelMessageRoute(state),
      createEditChannelMessageRoute(state),
      ...createGuildRoutes(state),
      ...createWebhookRoutes(state),
      createInteractionCallbackRoute(state),
      createAttachmentRoute(state),
    ],
    controlRoutes: [...createDiscordControlRoutes(state), createAttachmentControlRoute(state)],
    createFailureResponse: createDiscordFailureResponse,
    createUnexpectedCallResponse: (explanation) =>
      createJsonResponse(404, { message: "404: Not Found", code: 0, fakeError: explanation }),
    // Interaction tokens are credentials carried in the URL: call records keep only their description.
    findSecretPathSegments: (request) => {
      const match = /^\/api\/v10\/(?:webhooks\/[^/]+|interactions\/[^/]+)\/([^/]+)/.exec(request.path);
      return match?.[1] === undefined ? [] : [match[1]];
    },
    resetState: () => state.reset(),
  });
  return { url: server.url, state, stop: server.stop };
}
