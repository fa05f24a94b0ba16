import * as z from "zod/mini";
import { eventSubTypes } from "../twitch/eventSubTypes.ts";

/**
 * The operator API's routes and request schemas, defined once: the Worker validates every
 * request with them (worker/admin/handleAdmin.ts) and scripts/buildAdminOpenApi.ts turns the same
 * objects into /admin/openapi.json at build time, so no generator ships in the bundle. Response
 * shapes live in adminResponses.ts (documentation and tests only).
 */

const snowflake = z.string().check(z.regex(/^\d{1,20}$/, "must be a Discord id (digits)"));

export const pagingQuery = {
  cursor: z.optional(z.string().check(z.maxLength(500, "must be a cursor from next_cursor"))),
  limit: z._default(
    z.coerce
      .number()
      .check(
        z.int("must be a whole number from 1 to 100"),
        z.gte(1, "must be 1 to 100"),
        z.lte(100, "must be 1 to 100"),
      ),
    25,
  ),
};

const guildParameters = z.object({ guild: snowflake });
const pagedQuery = z.object(pagingQuery);

export interface AdminOperation {
  id: string;
  method: "GET" | "POST" | "DELETE";
  /** OpenAPI path template: `{name}` is one path segment. */
  path: string;
  summary: string;
  parameters?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  body?: z.ZodMiniObject;
}

/** Every operation, in the order the docs list them. */
export const adminOperations = [
  {
    id: "listLinks",
    method: "GET",
    path: "/admin/links",
    summary: "Twitch links: status, scopes and token health (never a token)",
    query: pagedQuery,
  },
  {
    id: "refreshLink",
    method: "POST",
    path: "/admin/links/{guild}/refresh",
    summary: "Refresh a link's user token now",
    parameters: guildParameters,
  },
  {
    id: "deleteLink",
    method: "DELETE",
    path: "/admin/links/{guild}",
    summary: "Revoke a link's tokens at Twitch, stop its raffle and delete it (as /twitch disconnect)",
    parameters: guildParameters,
  },
  {
    id: "listSubscriptions",
    method: "GET",
    path: "/admin/eventsub/subscriptions",
    summary: "EventSub subscriptions as stored, or with source=twitch as Twitch lists them",
    query: z.object({
      ...pagingQuery,
      source: z._default(z.enum(["stored", "twitch"]), "stored"),
    }),
  },
  {
    id: "createSubscription",
    method: "POST",
    path: "/admin/eventsub/subscriptions",
    summary: "Create one EventSub subscription for a server's linked channel",
    body: z.object({ guild_id: snowflake, type: z.enum(eventSubTypes) }),
  },
  {
    id: "deleteSubscription",
    method: "DELETE",
    path: "/admin/eventsub/subscriptions/{id}",
    summary: "Delete an EventSub subscription at Twitch and here, by Twitch's id",
    parameters: z.object({
      id: z.string().check(z.regex(/^[A-Za-z0-9-]{1,100}$/, "must be a Twitch subscription id")),
    }),
  },
  {
    id: "repairSubscriptions",
    method: "POST",
    path: "/admin/guilds/{guild}/eventsub/repair",
    summary: "Re-create a server's missing, revoked or stuck subscriptions (the hourly repair, now)",
    parameters: guildParameters,
  },
  {
    id: "listRaffles",
    method: "GET",
    path: "/admin/raffles",
    summary: "Raffles, newest first, by server and status",
    query: z.object({
      ...pagingQuery,
      guild: z.optional(snowflake),
      status: z.optional(z.enum(["running", "paused", "stopped"])),
    }),
  },
  {
    id: "listDraws",
    method: "GET",
    path: "/admin/raffles/{public_id}/draws",
    summary: "A raffle's draws, newest first",
    parameters: z.object({
      public_id: z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/, "must be a raffle's public id")),
    }),
    query: pagedQuery,
  },
  {
    id: "readDraw",
    method: "GET",
    path: "/admin/draws/{id}",
    summary: "One draw with its proof and announcement state",
    parameters: z.object({ id: z.string().check(z.regex(/^\d{1,18}$/, "must be a draw id (digits)")) }),
  },
  {
    id: "listEvents",
    method: "GET",
    path: "/admin/eventsub/events",
    summary: "Recent EventSub messages, newest first",
    query: pagedQuery,
  },
  {
    id: "listPoints",
    method: "GET",
    path: "/admin/points",
    summary: "Activity points viewers earned, most recently awarded first",
    query: z.object({ ...pagingQuery, guild: z.optional(snowflake) }),
  },
  {
    id: "listLoot",
    method: "GET",
    path: "/admin/guilds/{guild}/loot",
    summary: "A server's loot table",
    parameters: guildParameters,
    query: pagedQuery,
  },
  {
    id: "readKeys",
    method: "GET",
    path: "/admin/keys",
    summary:
      "Encryption key ids (never a key) and what the previous key still seals; remove TOKEN_ENCRYPTION_KEY_PREVIOUS once both counts are 0",
  },
] as const satisfies readonly AdminOperation[];

export type AdminOperationId = (typeof adminOperations)[number]["id"];
