import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { parseJsonBody } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import type { TwitchState } from "./TwitchState";
import type { TwitchDropReason } from "./twitchControlSchemas";
import { createHelixError, respondInvalidHelixInput } from "./twitchErrors";
import { type HelixCaller, requireScope, withHelixAuthentication } from "./withHelixAuthentication";

const maximumMessageLength = 500;

const sendChatMessageSchema = z.object({
  broadcaster_id: z.string().min(1),
  sender_id: z.string().min(1),
  message: z.string().min(1),
  reply_parent_message_id: z.string().optional(),
  for_source_only: z.boolean().optional(),
});

/** Send Chat Message: 200 can still mean dropped (`is_sent: false` with a `drop_reason`). */
export function createHelixChatMessagesRoute(state: TwitchState): Route {
  return {
    method: "POST",
    pattern: "/helix/chat/messages",
    handle: withHelixAuthentication(state, (request, caller) => sendChatMessage(state, request, caller)),
  };
}

function sendChatMessage(state: TwitchState, request: FakeRequest, caller: HelixCaller): FakeResponse {
  const body = parseJsonBody(request, sendChatMessageSchema, respondInvalidHelixInput);
  if (caller.userId !== undefined) {
    requireScope(caller, "user:write:chat");
    if (body.sender_id !== caller.userId)
      return createHelixError(401, "The ID in sender_id must match the user ID in the access token.");
    if (body.for_source_only !== undefined)
      return createHelixError(400, "for_source_only can only be set with an app access token");
  } else if (!isAppAllowedToChat(state, caller.clientId, body.broadcaster_id, body.sender_id)) {
    return createHelixError(403, "The sender is not permitted to send chat messages to the broadcaster's chat room.");
  }
  if (!state.users.has(body.broadcaster_id)) return createHelixError(400, "The broadcaster_id is not valid");
  if ([...body.message].length > maximumMessageLength) return createHelixError(422, "The message is too large");

  const dropReason: TwitchDropReason | undefined = state.chatDropReasons.get(body.broadcaster_id);
  const messageId = dropReason === undefined ? randomUUID() : "";
  state.chatMessages.push({
    messageId,
    broadcasterId: body.broadcaster_id,
    senderId: body.sender_id,
    message: body.message,
    replyParentMessageId: body.reply_parent_message_id ?? null,
    clientId: caller.clientId,
    sentAt: new Date().toISOString(),
    isSent: dropReason === undefined,
    dropReason: dropReason ?? null,
  });
  // A sent message is read by every `channel.chat.message` subscription of the channel, the
  // sender's own included, as on Twitch: a reader of chat sees its own bot's messages too.
  if (dropReason === undefined) {
    state.eventSub.notifyChatMessage(body.broadcaster_id, {
      chatter: state.findAccount(body.sender_id) ?? {
        id: body.sender_id,
        login: body.sender_id,
        displayName: body.sender_id,
      },
      messageId,
      text: body.message,
      color: "",
      badges: [],
    });
  }
  return createJsonResponse(200, {
    data: [
      dropReason === undefined
        ? { message_id: messageId, is_sent: true }
        : { message_id: "", is_sent: false, drop_reason: dropReason },
    ],
  });
}

/** App tokens chat as a user who granted `user:write:chat` and `user:bot`, into a channel that granted `channel:bot` or where the sender moderates. */
function isAppAllowedToChat(state: TwitchState, clientId: string, broadcasterId: string, senderId: string): boolean {
  if (!state.tokens.hasGrantedScope(clientId, senderId, "user:write:chat")) return false;
  if (!state.tokens.hasGrantedScope(clientId, senderId, "user:bot")) return false;
  return (
    senderId === broadcasterId ||
    state.isModerator(broadcasterId, senderId) ||
    state.tokens.hasGrantedScope(clientId, broadcasterId, "channel:bot")
  );
}
