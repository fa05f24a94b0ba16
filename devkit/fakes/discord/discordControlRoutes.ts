import { readParam } from "../shared/FakeRequest";
import { createEmptyResponse, createJsonResponse } from "../shared/FakeResponse";
import { parseJsonBody } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import { respondInvalidControlBody } from "../shared/sharedControlRoutes";
import { createCommandsKey } from "./commandRoutes";
import type { DiscordState, Interaction } from "./DiscordState";
import {
  type DiscordInteractionState,
  discordApplicationSchema,
  discordChannelSchema,
  discordGuildInputSchema,
  discordInteractionAnswerSchema,
  discordInteractionInputSchema,
  discordRateLimitSchema,
  discordSettingsSchema,
} from "./discordControlSchemas";
import { recordInteractionAnswer } from "./interactionResponses";

/** The Discord fake's own `/_control/…` routes (the shared ones are added by the server). */
export function createDiscordControlRoutes(state: DiscordState): Route[] {
  return [
    {
      method: "POST",
      pattern: "/_control/applications",
      handle: (request) => {
        const application = parseJsonBody(request, discordApplicationSchema, respondInvalidControlBody);
        state.applications.set(application.applicationId, application);
        return createEmptyResponse(204);
      },
    },
    {
      method: "PUT",
      pattern: "/_control/settings",
      handle: (request) => {
        const settings = parseJsonBody(request, discordSettingsSchema, respondInvalidControlBody);
        state.settings = {
          autoCreateChannels: settings.autoCreateChannels ?? state.settings.autoCreateChannels,
          autoRegisterInteractions: settings.autoRegisterInteractions ?? state.settings.autoRegisterInteractions,
        };
        return createJsonResponse(200, state.settings);
      },
    },
    {
      method: "POST",
      pattern: "/_control/channels",
      handle: (request) =>
        createJsonResponse(
          201,
          state.createChannel(parseJsonBody(request, discordChannelSchema, respondInvalidControlBody)),
        ),
    },
    {
      method: "PUT",
      pattern: "/_control/guilds/:guildId",
      handle: (request) =>
        createJsonResponse(
          200,
          state.upsertGuild({
            id: readParam(request, "guildId"),
            ...parseJsonBody(request, discordGuildInputSchema, respondInvalidControlBody),
          }),
        ),
    },
    {
      method: "GET",
      pattern: "/_control/channels/:channelId/messages",
      handle: (request) =>
        createJsonResponse(200, { messages: state.messages.get(readParam(request, "channelId")) ?? [] }),
    },
    {
      method: "PUT",
      pattern: "/_control/channels/:channelId/rate-limit",
      handle: (request) => {
        state.rateLimiter.setLimit(
          readParam(request, "channelId"),
          parseJsonBody(request, discordRateLimitSchema, respondInvalidControlBody),
        );
        return createEmptyResponse(204);
      },
    },
    {
      method: "POST",
      pattern: "/_control/interactions",
      handle: (request) => {
        const interaction = state.registerInteraction(
          parseJsonBody(request, discordInteractionInputSchema, respondInvalidControlBody),
        );
        return createJsonResponse(201, describeInteraction(interaction));
      },
    },
    {
      // The Worker's HTTP answer to the interaction: checked like Discord does, recorded when accepted.
      method: "POST",
      pattern: "/_control/interactions/:interactionToken/response",
      handle: (request) => {
        const verdict = recordInteractionAnswer(
          state,
          readParam(request, "interactionToken"),
          parseJsonBody(request, discordInteractionAnswerSchema, respondInvalidControlBody),
        );
        return verdict.ok ? createJsonResponse(200, { ok: true }) : createJsonResponse(verdict.status, verdict.error);
      },
    },
    {
      method: "GET",
      pattern: "/_control/interactions/:interactionToken",
      handle: (request) => {
        const interaction = state.interactions.get(readParam(request, "interactionToken"));
        if (interaction === undefined)
          return createJsonResponse(404, { error: "no interaction registered with that token" });
        return createJsonResponse(200, describeInteraction(interaction));
      },
    },
    {
      method: "GET",
      pattern: "/_control/commands",
      handle: (request) => {
        const applicationId = request.query.get("applicationId") ?? "";
        const guildId = request.query.get("guildId") ?? undefined;
        return createJsonResponse(200, {
          commands: state.commands.get(createCommandsKey(applicationId, guildId)) ?? [],
        });
      },
    },
  ];
}

function describeInteraction(interaction: Interaction): DiscordInteractionState {
  return {
    applicationId: interaction.applicationId,
    interactionId: interaction.interactionId,
    createdAt: new Date(interaction.createdAtMilliseconds).toISOString(),
    callbackType: interaction.callbackType,
    original: interaction.original,
    followUps: interaction.followUps,
    events: interaction.events,
  };
}
