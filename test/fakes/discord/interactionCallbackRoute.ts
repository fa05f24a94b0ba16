import { z } from "zod";
import { FakeHttpError } from "../shared/FakeHttpError";
import { type FakeRequest, readParam } from "../shared/FakeRequest";
import { createEmptyResponse, createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { parseValue } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import { respondInvalidDiscordBody } from "./DiscordFormErrors";
import { type DiscordState, type Interaction, interactionCallbackDeadlineMilliseconds } from "./DiscordState";
import { respondAlreadyAcknowledged, respondUnknownInteraction } from "./discordErrors";
import { readJsonBody, validateMessageBody } from "./validateMessageBody";
import { applyEdit } from "./webhookRoutes";

const callbackSchema = z.object({
  type: z.literal([1, 4, 5, 6, 7, 8, 9, 12]),
  data: z.unknown().optional(),
});

/** Create Interaction Response: once per interaction, within 3 seconds of it. */
export function createInteractionCallbackRoute(state: DiscordState): Route {
  return {
    method: "POST",
    pattern: "/api/v10/interactions/:interactionId/:interactionToken/callback",
    handle: (request) => answerInteraction(state, request),
  };
}

function answerInteraction(state: DiscordState, request: FakeRequest): FakeResponse {
  const interaction = findCallableInteraction(
    state,
    readParam(request, "interactionId"),
    readParam(request, "interactionToken"),
  );
  if (interaction.callbackType !== null) return respondAlreadyAcknowledged();
  const rawBody = readJsonBody(request);
  const callback = parseValue(rawBody, callbackSchema, respondInvalidDiscordBody);
  if (callback.type === 4 || callback.type === 7) {
    if (interaction.original !== null)
      applyEdit(interaction.original, validateMessageBody(callback.data, "interactionResponse"));
  } else if (callback.type === 5 && interaction.original !== null) {
    const data = validateMessageBody(callback.data ?? {}, "edit");
    interaction.original.flags = data.flags ?? 0;
  }
  interaction.callbackType = callback.type;
  interaction.events.push({
    kind: "callback",
    messageId: interaction.original?.id ?? null,
    body: rawBody,
    at: new Date().toISOString(),
  });
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
