import { type FakeRequest, readParam } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { authenticateBot } from "./authenticateBot";
import type { DiscordState } from "./DiscordState";
import { respondMissingAccess, respondUnknownChannel, respondUnknownMessage } from "./discordErrors";
import { readJsonBody, validateMessageBody } from "./validateMessageBody";
import { applyEdit } from "./webhookRoutes";

/**
 * Edit Message with the bot token (`PATCH /channels/{channel.id}/messages/{message.id}`): fields left
 * out stay, `null` clears. Every channel message in the fake is the bot's own, which a bot may edit.
 */
export function createEditChannelMessageRoute(state: DiscordState): Route {
  return {
    method: "PATCH",
    pattern: "/api/v10/channels/:channelId/messages/:messageId",
    handle: (request) => editChannelMessage(state, request),
  };
}

function editChannelMessage(state: DiscordState, request: FakeRequest): FakeResponse {
  authenticateBot(state, request);
  const channel = state.findChannel(readParam(request, "channelId"));
  if (channel === undefined) return respondUnknownChannel();
  if (channel.forbidden) return respondMissingAccess();
  const messageId = readParam(request, "messageId");
  const message = state.messages.get(channel.id)?.find((candidate) => candidate.id === messageId);
  if (message === undefined) return respondUnknownMessage();
  applyEdit(message, validateMessageBody(readJsonBody(request), "edit"));
  return createJsonResponse(200, message);
}
