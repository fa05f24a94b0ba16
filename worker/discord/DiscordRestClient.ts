import * as z from "zod/mini";
import type { Config } from "../env";
import type { CommandDefinition } from "./commands/CommandGroup";
import type { MessageBody } from "./message";
import { readBucketWait, recordBucket, reserveGlobalSlot } from "./rateLimitBuckets";

const userAgent = "DiscordBot (https://github.com/liveloot/liveloot, 0.1.0)";

/**
 * A Discord REST failure. `path` never includes an interaction token. `cloudflareLimited`: a 429
 * that is not Discord's JSON but Cloudflare's error page (error 1015: the Worker's shared address
 * is rate limited, on every route, with no `retry_after` to read); its page is not repeated in the
 * message (it is HTML, and names the address).
 */
export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly body: string,
    readonly retryAfterSeconds: number | undefined,
    readonly cloudflareLimited = false,
  ) {
    super(
      cloudflareLimited
        ? `Discord's Cloudflare answered ${status} for ${path}: ${describeCloudflarePage(body)}`
        : `Discord answered ${status} for ${path}: ${body.slice(0, 200)}`,
    );
    this.name = "DiscordApiError";
  }
}

/** "error 1015" when the page names its Cloudflare error code, else "an HTML error page". */
function describeCloudflarePage(body: string): string {
  const code = /error(?:\s+code)?:?\s*(?:<\/span>\s*<span>)?\s*(1\d{3})\b/i.exec(body)?.[1];
  return code === undefined ? "an HTML error page" : `error ${code}`;
}

type DiscordSettings = Pick<Config, "discordApiBaseUrl" | "discordBotToken">;

/** Longer than this, a full bucket is not waited for: the caller retries later (the outbox does). */
const maximumBucketWaitMilliseconds = 2_000;

async function callDiscord(
  settings: Pick<Config, "discordApiBaseUrl"> & { discordBotToken?: string },
  method: string,
  path: string,
  body: unknown,
  redactedPath = path,
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": userAgent };
  if (settings.discordBotToken) headers.authorization = `Bot ${settings.discordBotToken}`;
  const routeKey = `${method} ${redactedPath}`;
  const wait = readBucketWait(routeKey);
  if (wait > maximumBucketWaitMilliseconds) {
    throw new DiscordApiError(429, redactedPath, "the route's rate-limit bucket is empty", wait / 1000);
  }
  // Interaction webhooks are exempt from the bot's global limit; bot-authenticated calls are paced.
  const pacing = settings.discordBotToken ? reserveGlobalSlot() : 0;
  const delay = Math.max(wait, pacing);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const response = await fetch(`${settings.discordApiBaseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // A 429 carries its own retry_after, which the caller schedules by; buckets track the rest.
  if (response.status !== 429) recordBucket(routeKey, response.headers);
  if (!response.ok) {
    const text = await response.text();
    const cloudflareLimited =
      response.status === 429 && !(response.headers.get("content-type") ?? "").includes("application/json");
    throw new DiscordApiError(
      response.status,
      redactedPath,
      text,
      cloudflareLimited ? undefined : readRetryAfter(response, text),
      cloudflareLimited,
    );
  }
  return response;
}

const rateLimitBodySchema = z.object({ retry_after: z.number() });
const createdMessageSchema = z.object({ id: z.string() });
const guildSchema = z.object({ id: z.string(), name: z.string() });

function readRetryAfter(response: Response, text: string): number | undefined {
  if (response.status !== 429) return undefined;
  try {
    const parsed = rateLimitBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.retry_after;
  } catch {
    // not JSON: fall through to the header
  }
  const header = Number(response.headers.get("retry-after"));
  return Number.isFinite(header) && response.headers.has("retry-after") ? header : undefined;
}

/** A server the bot is in: its name, as Get Guild gives it. */
export async function getGuild(settings: DiscordSettings, guildId: string): Promise<{ id: string; name: string }> {
  const response = await callDiscord(settings, "GET", `/guilds/${guildId}`, undefined);
  return guildSchema.parse(await response.json());
}

/** Edits the reply of an interaction (after a deferral); the interaction token is the credential. */
export async function editOriginalResponse(
  settings: Pick<Config, "discordApiBaseUrl">,
  applicationId: string,
  interactionToken: string,
  body: MessageBody,
): Promise<void> {
  await callDiscord(
    settings,
    "PATCH",
    `/webhooks/${applicationId}/${interactionToken}/messages/@original`,
    { ...body, allowed_mentions: { parse: [] } },
    `/webhooks/${applicationId}/<interaction token>/messages/@original`,
  );
}

/**
 * Posts to a channel with the bot token. `nonce` with `enforce_nonce` makes a retried post
 * return the first message instead of posting twice.
 */
export async function createChannelMessage(
  settings: DiscordSettings,
  channelId: string,
  body: MessageBody,
  nonce?: string,
): Promise<{ id: string }> {
  const response = await callDiscord(settings, "POST", `/channels/${channelId}/messages`, {
    ...body,
    allowed_mentions: { parse: [] },
    ...(nonce ? { nonce, enforce_nonce: true } : {}),
  });
  return createdMessageSchema.parse(await response.json());
}

/** Edits one of the bot's channel messages; fields left out of `body` stay as they are. */
export async function editChannelMessage(
  settings: DiscordSettings,
  channelId: string,
  messageId: string,
  body: MessageBody,
): Promise<void> {
  await callDiscord(settings, "PATCH", `/channels/${channelId}/messages/${messageId}`, {
    ...body,
    allowed_mentions: { parse: [] },
  });
}

/** Bulk-overwrites the application's commands, globally or in one guild. */
export async function putApplicationCommands(
  settings: DiscordSettings,
  applicationId: string,
  commands: CommandDefinition[],
  guildId?: string,
): Promise<unknown[]> {
  const path = guildId
    ? `/applications/${applicationId}/guilds/${guildId}/commands`
    : `/applications/${applicationId}/commands`;
  const response = await callDiscord(settings, "PUT", path, commands);
  return z.array(z.unknown()).parse(await response.json());
}
