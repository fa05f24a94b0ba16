// No Node imports (here or in what this imports): Worker tests use this client from inside workerd.
import { z } from "zod";
import { describeDiscordError } from "./discord/describeDiscordError";
import {
  type DiscordApplication,
  type DiscordAttachment,
  type DiscordAttachmentInput,
  type DiscordChannelInput,
  type DiscordGuildInput,
  type DiscordInteractionAnswer,
  type DiscordInteractionAnswerVerdict,
  type DiscordInteractionInput,
  type DiscordInteractionState,
  type DiscordMessage,
  type DiscordRateLimit,
  type DiscordSettings,
  discordAttachmentSchema,
  discordCommandListSchema,
  discordInteractionStateSchema,
  discordMessageListSchema,
} from "./discord/discordControlSchemas";
import { FakeControlClient } from "./shared/FakeControlClient";

export type * from "./discord/discordControlSchemas";
export type { FailureRuleInput } from "./shared/controlSchemas";
export { describeSecret } from "./shared/describeSecret";

const settingsSchema = z.object({ autoCreateChannels: z.boolean(), autoRegisterInteractions: z.boolean() });

/** Typed client of the Discord fake's control API (`<url>/_control/…`). */
export class DiscordControl extends FakeControlClient {
  /** Another application and its bot token, besides the one the fake started with. */
  async registerApplication(application: DiscordApplication): Promise<void> {
    await this.requestJson("POST", "/_control/applications", application, undefined);
  }

  async createChannel(channel: DiscordChannelInput): Promise<void> {
    await this.requestJson("POST", "/_control/channels", channel, undefined);
  }

  /** Creates or renames a guild (`GET /guilds/:id` answers it); `createChannel` makes one named "Server 1234". */
  async upsertGuild(guild: DiscordGuildInput): Promise<void> {
    const { id, ...fields } = guild;
    await this.requestJson("PUT", `/_control/guilds/${encodeURIComponent(id)}`, fields, undefined);
  }

  async listMessages(channelId: string): Promise<DiscordMessage[]> {
    return (
      await this.requestJson(
        "GET",
        `/_control/channels/${encodeURIComponent(channelId)}/messages`,
        undefined,
        discordMessageListSchema,
      )
    ).messages;
  }

  /** The create-message limit of one channel (default 5 per 5 seconds, like Discord). */
  async setChannelRateLimit(channelId: string, rateLimit: DiscordRateLimit): Promise<void> {
    await this.requestJson(
      "PUT",
      `/_control/channels/${encodeURIComponent(channelId)}/rate-limit`,
      rateLimit,
      undefined,
    );
  }

  /**
   * Uploads a file as a user would attach it to a command: the attachment object to put in the
   * interaction's `data.resolved.attachments`, its `url` serving the content on the fake's origin.
   */
  async uploadAttachment(file: DiscordAttachmentInput): Promise<DiscordAttachment> {
    return this.requestJson("POST", "/_control/attachments", file, discordAttachmentSchema);
  }

  /** Register before sending the interaction to the Worker: the Worker may edit before the test sees its answer. */
  async registerInteraction(input: DiscordInteractionInput): Promise<DiscordInteractionState> {
    return this.requestJson("POST", "/_control/interactions", input, discordInteractionStateSchema);
  }

  /**
   * Hands the fake the Worker's HTTP answer to an interaction, as Discord would receive it. The
   * fake checks it like Discord (status 200, JSON, a valid response type, the message and
   * autocomplete limits) and, when accepted, records it as the initial response (`@original`).
   * Never throws for a refusal: the verdict carries Discord's error body and the reasons in words.
   */
  async recordInteractionResponse(
    interactionToken: string,
    answer: DiscordInteractionAnswer,
  ): Promise<DiscordInteractionAnswerVerdict> {
    const response = await fetch(`${this.url}/_control/interactions/${encodeURIComponent(interactionToken)}/response`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(answer),
    });
    const text = await response.text();
    if (response.ok) return { ok: true };
    let error: unknown;
    try {
      error = JSON.parse(text);
    } catch {
      error = text;
    }
    if (response.status === 404) throw new Error(`control: no interaction registered with that token: ${text}`);
    return { ok: false, status: response.status, error, problems: describeDiscordError(error) };
  }

  /** The initial response, follow-ups and every callback/edit/follow-up the Worker sent for that token. */
  async readInteraction(interactionToken: string): Promise<DiscordInteractionState> {
    return this.requestJson(
      "GET",
      `/_control/interactions/${encodeURIComponent(interactionToken)}`,
      undefined,
      discordInteractionStateSchema,
    );
  }

  /** Commands as stored by the last bulk overwrite; without a guild id, the global ones. */
  async listCommands(applicationId: string, guildId?: string): Promise<Record<string, unknown>[]> {
    const query = new URLSearchParams({ applicationId, ...(guildId === undefined ? {} : { guildId }) });
    return (
      await this.requestJson("GET", `/_control/commands?${query.toString()}`, undefined, discordCommandListSchema)
    ).commands;
  }

  async updateSettings(settings: DiscordSettings): Promise<Required<DiscordSettings>> {
    return this.requestJson("PUT", "/_control/settings", settings, settingsSchema);
  }
}
