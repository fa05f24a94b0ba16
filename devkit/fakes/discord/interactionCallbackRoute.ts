import { FakeHttpError } from "../shared/FakeHttpError";
import { type FakeRequest, readParam } from "../shared/FakeRequest";
import { createEmptyResponse, createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { storeUploadedFiles } from "./attachmentRoutes";
import { type DiscordState, type Interaction, interactionCallbackDeadlineMilliseconds } from "./DiscordState";
import { respondAlreadyAcknowledged, respondUnknownInteraction } from "./discordErrors";
import { applyInitialResponse } from "./interactionResponses";
import { readMessageRequest } from "./readMessageRequest";
import { validateInteractionResponse } from "./validateInteractionResponse";

/** Create Interaction Response: once per interaction, within 3 seconds of it. */
export function createInteractionCallbackRoute(state: DiscordState): Route {
  return {
    method: "POST",
    pattern: "/api/v10/interactions/:interactionId/:interactionToken/callback",
    handle: (request) => answerInteraction(state, request),
  };
}

async function answerInteraction(state: DiscordState, request: FakeRequest): Promise<FakeResponse> {
  const interaction = findCallableInteraction(
    state,
    readParam(request, "interactionId"),
    readParam(request, "interactionToken"),
  );
  if (interaction.callbackType !== null) return respondAlreadyAcknowledged();
  // Unlike the HTTP answer, the callback endpoint takes files (multipart, `files[n]`).
  const { body: rawBody, files } = await readMessageRequest(request);
  // The same checks as the HTTP answer to an interaction (`recordInteractionAnswer`).
  const callback = validateInteractionResponse(rawBody, undefined, files.length);
  applyInitialResponse(interaction, callback, rawBody, "callback");
  if (interaction.original !== null && (callback.type === 4 || callback.type === 7))
    interaction.original.attachments = [
      ...(callback.type === 7 ? interaction.original.attachments : []),
      ...storeUploadedFiles(state, request, interaction.channelId, files),
    ];
  if (request.query.get("with_response") !== "true") return createEmptyResponse(204);
  return createJsonResponse(200, {
    interaction: {
      id: interaction.interactionId,
      type: 2,
      response_message_id: interaction.original?.id,
      response_message_loading: callback.type === 5,
    },
    resource: { type: callback.type, message: interaction.original },
  });
}

function findCallableInteraction(state: DiscordState, interactionId: string, token: string): Interaction {
  let interaction = state.interactions.get(token);
  if (interaction === undefined && state.settings.autoRegisterInteractions) {
    interaction = state.registerInteraction({ interactionToken: token, interactionId });
  }
  if (interaction === undefined || interaction.interactionId !== interactionId)
    throw new FakeHttpError(respondUnknownInteraction());
  if (Date.now() - interaction.createdAtMilliseconds > interactionCallbackDeadlineMilliseconds)
    throw new FakeHttpError(respondUnknownInteraction());
  return interaction;
}
