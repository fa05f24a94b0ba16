// No Node imports (here or in what this imports): Worker tests use this client from inside workerd.
import { z } from "zod";
import {
  type DiscordApplication,
  type DiscordChannelInput,
  type DiscordInteractionInput,
  type DiscordInteractionState,
  type DiscordMessage,
  type DiscordRateLimit,
  type DiscordSettings,
  discordCommandListSchema,
  discordInteractionStateSchema,
  discordMessageListSchema,
} from "./discord/discordControlSchemas";
import { FakeControlClient } from "./shared/FakeControlClient";

export type * from "./discord/discordControlSchemas";
export type { CallFilter, CallRecord, FailureRule, FailureRuleInput } from "./shared/controlSchemas";
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

  /** Register before sending the interaction to the Worker: the Worker may edit before the test sees its answer. */
  async registerInteraction(input: DiscordInteractionInput): Promise<DiscordInteractionState> {
    return this.requestJson("POST", "/_control/interactions", input, discordInteractionStateSchema);
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
