import { FakeHttpError } from "../shared/FakeHttpError";
import { type FakeRequest, readParam } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { authenticateBot } from "./authenticateBot";
import type { DiscordState, StoredCommand } from "./DiscordState";
import { respondMissingAccess } from "./discordErrors";
import { validateCommands } from "./validateCommands";
import { readJsonBody } from "./validateMessageBody";

const base = "/api/v10/applications/:applicationId";

/** Bulk overwrite and list of global and guild commands. */
export function createCommandRoutes(state: DiscordState): Route[] {
  return [
    { method: "PUT", pattern: `${base}/commands`, handle: (request) => overwriteCommands(state, request) },
    {
      method: "PUT",
      pattern: `${base}/guilds/:guildId/commands`,
      handle: (request) => overwriteCommands(state, request),
    },
    { method: "GET", pattern: `${base}/commands`, handle: (request) => listCommands(state, request) },
    { method: "GET", pattern: `${base}/guilds/:guildId/commands`, handle: (request) => listCommands(state, request) },
  ];
}

export function createCommandsKey(applicationId: string, guildId: string | undefined): string {
  return `${applicationId}/${guildId ?? "global"}`;
}

function overwriteCommands(state: DiscordState, request: FakeRequest): FakeResponse {
  const applicationId = authorizeApplication(state, request);
  const guildId = request.params.guildId;
  const { commands, errors } = validateCommands(readJsonBody(request));
  if (errors.hasErrors()) return errors.createResponse();
  const key = createCommandsKey(applicationId, guildId);
  const previous = state.commands.get(key) ?? [];
  const stored: StoredCommand[] = commands.map((command) => {
    // A bulk overwrite keeps the id of a command whose name and type are unchanged.
    const existing = previous.find((candidate) => candidate.name === command.name && candidate.type === command.type);
    return {
      ...command,
      id: existing?.id ?? state.snowflakes.createSnowflake(),
      application_id: applicationId,
      version: state.snowflakes.createSnowflake(),
      default_member_permissions: command.default_member_permissions ?? null,
      ...(guildId === undefined
        ? { contexts: command.contexts ?? null, integration_types: command.integration_types ?? [0] }
        : { guild_id: guildId }),
      nsfw: command.nsfw ?? false,
    };
  });
  state.commands.set(key, stored);
  return createJsonResponse(200, stored);
}

function listCommands(state: DiscordState, request: FakeRequest): FakeResponse {
  const applicationId = authorizeApplication(state, request);
  const commands = state.commands.get(createCommandsKey(applicationId, request.params.guildId)) ?? [];
  const withLocalizations = request.query.get("with_localizations") === "true";
  return createJsonResponse(200, withLocalizations ? commands : commands.map(removeLocalizations));
}

function authorizeApplication(state: DiscordState, request: FakeRequest): string {
  const application = authenticateBot(state, request);
  const applicationId = readParam(request, "applicationId");
  if (application.applicationId !== applicationId) throw new FakeHttpError(respondMissingAccess());
  return applicationId;
}

/** Without `with_localizations=true` Discord leaves out the localization dictionaries. */
function removeLocalizations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(removeLocalizations);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "name_localizations" && key !== "description_localizations")
      .map(([key, field]) => [key, removeLocalizations(field)]),
  );
}
