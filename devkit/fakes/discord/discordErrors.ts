import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";

/** Discord's error shape: `{"message":"Unknown Channel","code":10003}`. */
export function createDiscordError(
  status: number,
  message: string,
  code: number,
  headers: Record<string, string> = {},
): FakeResponse {
  return createJsonResponse(status, { message, code }, headers);
}

export const respondUnauthorized = (): FakeResponse => createDiscordError(401, "401: Unauthorized", 0);
export const respondMissingAccess = (): FakeResponse => createDiscordError(403, "Missing Access", 50001);
export const respondUnknownChannel = (): FakeResponse => createDiscordError(404, "Unknown Channel", 10003);
export const respondUnknownMessage = (): FakeResponse => createDiscordError(404, "Unknown Message", 10008);
export const respondUnknownWebhook = (): FakeResponse => createDiscordError(404, "Unknown Webhook", 10015);
export const respondUnknownInteraction = (): FakeResponse => createDiscordError(404, "Unknown interaction", 10062);
export const respondEmptyMessage = (): FakeResponse => createDiscordError(400, "Cannot send an empty message", 50006);
export const respondAlreadyAcknowledged = (): FakeResponse =>
  createDiscordError(400, "Interaction has already been acknowledged.", 40060);
