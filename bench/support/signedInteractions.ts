import { randomBytes } from "node:crypto";
import type { DiscordState } from "../../devkit/fakes/discord/DiscordState";
import { testCredentials } from "../../devkit/localBindings";
import type { OptionInput } from "../../playground/playgroundApi";
import { createInteractionPayload, createSnowflake } from "../../scripts/dev/createInteractionPayload";
import { signBody } from "../../test/support/worker/signInteraction";
import type { CommandGuild } from "./seedCommandGuilds";

export const interactionType = { ping: 1, applicationCommand: 2, autocomplete: 4 } as const;

/** An interaction as Discord would send it, not yet signed (the signature holds the send time). */
export interface UnsignedInteraction {
  body: string;
  token: string;
  id: string;
  channelId: string;
}

export interface CommandRequest {
  command: string;
  subcommand: string;
  options?: OptionInput[];
  /** Autocomplete (type 4) of this option; a slash command otherwise. */
  focused?: string;
}

/** A slash command or autocomplete in Discord's full wire shape (scripts/dev/createInteractionPayload.ts). */
export function buildCommandInteraction(guild: CommandGuild, request: CommandRequest): UnsignedInteraction {
  const { payload, token, id } = createInteractionPayload(
    {
      user: { name: "Bench Streamer", manageServer: true, locale: "en-US" },
      channelId: guild.channelId,
      command: request.command,
      subcommand: request.subcommand,
      options: request.options ?? [],
    },
    {
      applicationId: testCredentials.discordApplicationId,
      guildId: guild.guildId,
      channels: [{ id: guild.channelId, name: guild.channelName }],
    },
    request.focused === undefined
      ? { type: interactionType.applicationCommand }
      : { type: interactionType.autocomplete, focused: request.focused },
  );
  return { body: JSON.stringify(payload), token, id, channelId: guild.channelId };
}

/** The PING Discord sends to check the endpoint: verified like every interaction, answered without work. */
export function buildPingInteraction(): UnsignedInteraction {
  const id = createSnowflake(Date.now());
  const token = `aW50ZXJhY3Rpb246${randomBytes(64).toString("base64url")}`;
  const payload = {
    application_id: testCredentials.discordApplicationId,
    id,
    token,
    type: interactionType.ping,
    user: { id: "1192837465099990001", username: "discord", global_name: null, discriminator: "0", avatar: null },
    version: 1,
  };
  return { body: JSON.stringify(payload), token, id, channelId: "0" };
}

/** Tells the Discord fake about the interaction before the Worker sees it, as Discord knows it first. */
export function registerInteraction(state: DiscordState, interaction: UnsignedInteraction): void {
  state.registerInteraction({
    interactionToken: interaction.token,
    applicationId: testCredentials.discordApplicationId,
    interactionId: interaction.id,
    channelId: interaction.channelId,
  });
}

export interface InteractionAnswer {
  status: number;
  text: string;
  /** From just before the request was written to the end of the answer's body. */
  milliseconds: number;
  /** Wall clock when the request was sent (to compare with the fake's event times). */
  sentAt: number;
}

/**
 * Signs `timestamp + body` with the test application's Ed25519 key (as Discord does) and POSTs
 * it to `/interactions`; only the HTTP exchange is timed, not the signing.
 */
export async function sendSignedInteraction(workerUrl: string, body: string): Promise<InteractionAnswer> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await signBody(body, timestamp);
  const sentAt = Date.now();
  const startedAt = performance.now();
  const response = await fetch(new URL("/interactions", workerUrl), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "Discord-Interactions/1.0 (+https://discord.com)",
      "x-signature-ed25519": signature,
      "x-signature-timestamp": timestamp,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, text, milliseconds: performance.now() - startedAt, sentAt };
}
