import { type FakeRequest, readParam } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { authenticateBot } from "./authenticateBot";
import { createRateLimitedHeaders } from "./DiscordRateLimiter";
import { type DiscordState, nonceMemoryMilliseconds } from "./DiscordState";
import { respondMissingAccess, respondUnknownChannel } from "./discordErrors";
import { readJsonBody, validateMessageBody } from "./validateMessageBody";

export const createMessageRoute = "POST /channels/{channel.id}/messages";

/** Create Message with the bot token: channel checks, limits, nonce de-duplication, per-channel rate limit. */
export function createChannelMessageRoute(state: DiscordState): Route {
  return {
    method: "POST",
    pattern: "/api/v10/channels/:channelId/messages",
    handle: (request) => postChannelMessage(state, request),
  };
}

function postChannelMessage(state: DiscordState, request: FakeRequest): FakeResponse {
  authenticateBot(state, request);
  const channelId = readParam(request, "channelId");
  const decision = state.rateLimiter.takeRequest(createMessageRoute, channelId);
  if (!decision.allowed) {
    const limit = Number(decision.headers["x-ratelimit-limit"]);
    return createJsonResponse(
      429,
      {
        message: "You are being rate limited.",
        retry_after: Number(decision.retryAfterSeconds.toFixed(3)),
        global: false,
      },
      createRateLimitedHeaders(createMessageRoute, limit, decision.retryAfterSeconds, false),
    );
  }
  const response = answerChannelMessage(state, request, channelId);
  return { ...response, headers: { ...response.headers, ...decision.headers } };
}

function answerChannelMessage(state: DiscordState, request: FakeRequest, channelId: string): FakeResponse {
  const channel = state.findChannel(channelId);
  if (channel === undefined) return respondUnknownChannel();
  if (channel.forbidden) return respondMissingAccess();
  const body = validateMessageBody(readJsonBody(request), "channelMessage");

  const nonceKey = body.nonce === undefined ? undefined : `${channelId} ${String(body.nonce)}`;
  if (nonceKey !== undefined && body.enforce_nonce === true) {
    const previous = state.nonces.get(nonceKey);
    const existing =
      previous === undefined
        ? undefined
        : state.messages.get(channelId)?.find((message) => message.id === previous.messageId);
    if (
      previous !== undefined &&
      existing !== undefined &&
      Date.now() - previous.atMilliseconds < nonceMemoryMilliseconds
    ) {
      return createJsonResponse(200, existing);
    }
  }
  const message = {
    ...state.createMessage(channelId, {
      content: body.content ?? undefined,
      embeds: body.embeds ?? undefined,
      components: body.components ?? undefined,
      flags: body.flags ?? undefined,
      nonce: body.nonce,
    }),
    guild_id: channel.guildId,
  };
  state.messages.set(channelId, [...(state.messages.get(channelId) ?? []), message]);
  if (nonceKey !== undefined) state.nonces.set(nonceKey, { messageId: message.id, atMilliseconds: Date.now() });
  return createJsonResponse(200, message);
}
