import { FakeHttpError } from "../shared/FakeHttpError";
import { type FakeRequest, readParam } from "../shared/FakeRequest";
import { createEmptyResponse, createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { storeUploadedFiles } from "./attachmentRoutes";
import { type DiscordState, type Interaction, interactionTokenLifetimeMilliseconds } from "./DiscordState";
import type { DiscordMessage, DiscordWebhookEvent } from "./discordControlSchemas";
import { respondUnknownMessage, respondUnknownWebhook } from "./discordErrors";
import { readMessageRequest } from "./readMessageRequest";
import { type MessageBody, messageFlags, validateMessageBody } from "./validateMessageBody";

const base = "/api/v10/webhooks/:applicationId/:interactionToken";

/**
 * Interaction webhooks: the token in the URL is the credential, so no bot token is needed.
 * Only registered tokens younger than 15 minutes work (unless auto-registration is on).
 */
export function createWebhookRoutes(state: DiscordState): Route[] {
  return [
    { method: "POST", pattern: base, handle: (request) => createFollowUp(state, request) },
    { method: "GET", pattern: `${base}/messages/:messageId`, handle: (request) => getMessage(state, request) },
    { method: "PATCH", pattern: `${base}/messages/:messageId`, handle: (request) => editMessage(state, request) },
    { method: "DELETE", pattern: `${base}/messages/:messageId`, handle: (request) => deleteMessage(state, request) },
  ];
}

/** Finds the interaction of a webhook URL, or answers 404 Unknown Webhook like Discord. */
export function findLiveInteraction(state: DiscordState, applicationId: string, token: string): Interaction {
  let interaction = state.interactions.get(token);
  if (interaction === undefined && state.settings.autoRegisterInteractions) {
    interaction = state.registerInteraction({ interactionToken: token, applicationId });
  }
  if (interaction === undefined || interaction.applicationId !== applicationId)
    throw new FakeHttpError(respondUnknownWebhook());
  if (Date.now() - interaction.createdAtMilliseconds > interactionTokenLifetimeMilliseconds)
    throw new FakeHttpError(respondUnknownWebhook());
  return interaction;
}

function findInteraction(state: DiscordState, request: FakeRequest): Interaction {
  return findLiveInteraction(state, readParam(request, "applicationId"), readParam(request, "interactionToken"));
}

function recordEvent(
  interaction: Interaction,
  kind: DiscordWebhookEvent["kind"],
  messageId: string | null,
  body: unknown,
): void {
  interaction.events.push({ kind, messageId, body, at: new Date().toISOString() });
}

async function createFollowUp(state: DiscordState, request: FakeRequest): Promise<FakeResponse> {
  const interaction = findInteraction(state, request);
  const { body: rawBody, files } = await readMessageRequest(request);
  const body = validateMessageBody(rawBody, "followUp", [], files.length);
  const message = state.createMessage(interaction.channelId, {
    content: body.content ?? undefined,
    embeds: body.embeds ?? undefined,
    components: body.components ?? undefined,
    flags: body.flags ?? undefined,
  });
  message.webhook_id = interaction.applicationId;
  message.attachments = storeUploadedFiles(state, request, interaction.channelId, files);
  interaction.followUps.push(message);
  recordEvent(interaction, "createFollowUp", message.id, rawBody);
  return createJsonResponse(200, message);
}

function getMessage(state: DiscordState, request: FakeRequest): FakeResponse {
  const interaction = findInteraction(state, request);
  const message = findMessage(interaction, readParam(request, "messageId"));
  return message === undefined ? respondUnknownMessage() : createJsonResponse(200, message);
}

async function editMessage(state: DiscordState, request: FakeRequest): Promise<FakeResponse> {
  const interaction = findInteraction(state, request);
  const messageId = readParam(request, "messageId");
  const message = findMessage(interaction, messageId);
  if (message === undefined) return respondUnknownMessage();
  const { body: rawBody, files } = await readMessageRequest(request);
  applyEdit(message, validateMessageBody(rawBody, "edit", [], files.length));
  message.attachments = [...message.attachments, ...storeUploadedFiles(state, request, interaction.channelId, files)];
  recordEvent(interaction, messageId === "@original" ? "editOriginal" : "editFollowUp", message.id, rawBody);
  return createJsonResponse(200, message);
}

function deleteMessage(state: DiscordState, request: FakeRequest): FakeResponse {
  const interaction = findInteraction(state, request);
  const messageId = readParam(request, "messageId");
  const message = findMessage(interaction, messageId);
  if (message === undefined) return respondUnknownMessage();
  if (messageId === "@original") interaction.original = null;
  else interaction.followUps = interaction.followUps.filter((followUp) => followUp.id !== messageId);
  recordEvent(interaction, messageId === "@original" ? "deleteOriginal" : "deleteFollowUp", message.id, null);
  return createEmptyResponse(204);
}

function findMessage(interaction: Interaction, messageId: string): DiscordMessage | undefined {
  if (messageId === "@original" || messageId === interaction.original?.id) return interaction.original ?? undefined;
  return interaction.followUps.find((followUp) => followUp.id === messageId);
}

/** Applies the fields an edit sends; `null` clears a field, an absent field stays. */
export function applyEdit(message: DiscordMessage, body: MessageBody): void {
  if (body.content !== undefined) message.content = body.content ?? "";
  if (body.embeds !== undefined) message.embeds = (body.embeds ?? []).map((embed) => ({ type: "rich", ...embed }));
  if (body.components !== undefined) message.components = body.components ?? [];
  // `attachments` lists the files to keep (new uploads are added after); absent, all stay.
  if (body.attachments !== undefined) {
    const kept = new Set(body.attachments.map((attachment) => readAttachmentId(attachment)));
    message.attachments = message.attachments.filter((attachment) => kept.has(attachment.id));
  }
  if (body.flags !== undefined && body.flags !== null) {
    // The ephemeral state chosen at the first response cannot change.
    message.flags = (message.flags & messageFlags.ephemeral) | body.flags;
  }
  message.edited_timestamp = new Date().toISOString();
}

function readAttachmentId(attachment: unknown): string | undefined {
  if (typeof attachment !== "object" || attachment === null || !("id" in attachment)) return undefined;
  return String(attachment.id);
}
