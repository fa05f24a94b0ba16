import { DiscordRateLimiter } from "./DiscordRateLimiter";
import {
  type DiscordApplication,
  type DiscordAttachment,
  type DiscordChannel,
  type DiscordChannelInput,
  type DiscordGuild,
  type DiscordGuildInput,
  type DiscordInteractionInput,
  type DiscordMessage,
  type DiscordSettings,
  type DiscordWebhookEvent,
  discordChannelSchema,
  discordGuildInputSchema,
  discordInteractionInputSchema,
} from "./discordControlSchemas";
import { SnowflakeGenerator } from "./SnowflakeGenerator";

export interface DiscordFakeOptions {
  /** 0 or omitted: a free port. */
  port?: number;
  botToken?: string;
  applicationId?: string;
  /** Unknown channels exist on first post (for `npm run dev`). */
  autoCreateChannels?: boolean;
  /** Unknown interaction tokens are registered on first use (for `npm run dev`). */
  autoRegisterInteractions?: boolean;
}

export interface Interaction {
  applicationId: string;
  interactionId: string;
  token: string;
  channelId: string;
  createdAtMilliseconds: number;
  callbackType: number | null;
  /** The initial response; an interaction answered over HTTP is taken as acknowledged, so it exists from the start. */
  original: DiscordMessage | null;
  followUps: DiscordMessage[];
  events: DiscordWebhookEvent[];
}

/** A stored command: the validated input plus the ids Discord adds. */
export type StoredCommand = Record<string, unknown> & { id: string; name: string; type: number };

/** Interaction tokens last 15 minutes; the initial callback must come within 3 seconds. */
export const interactionTokenLifetimeMilliseconds = 15 * 60 * 1000;
export const interactionCallbackDeadlineMilliseconds = 3000;
/** How long Discord remembers an enforced nonce ("the past few minutes"). */
export const nonceMemoryMilliseconds = 5 * 60 * 1000;
/** The owner of a guild created without one. */
export const defaultGuildOwnerId = "400000000000000001";

/** Everything the Discord fake knows, keyed by ids the tests choose. */
export class DiscordState {
  readonly applications = new Map<string, DiscordApplication>();
  readonly channels = new Map<string, DiscordChannel>();
  readonly guilds = new Map<string, DiscordGuild>();
  readonly messages = new Map<string, DiscordMessage[]>();
  /** `channelId nonce` → message id and when it was posted. */
  readonly nonces = new Map<string, { messageId: string; atMilliseconds: number }>();
  readonly interactions = new Map<string, Interaction>();
  /** `applicationId/guildId` (or `applicationId/global`) → commands. */
  readonly commands = new Map<string, StoredCommand[]>();
  /** Uploaded files by attachment id: served at their CDN-like URL on the fake's origin. */
  readonly attachments = new Map<string, { attachment: DiscordAttachment; content: string; contentType: string }>();
  readonly rateLimiter = new DiscordRateLimiter();
  readonly snowflakes = new SnowflakeGenerator();
  settings: Required<DiscordSettings>;
  private readonly defaultApplication: DiscordApplication;
  private readonly defaultSettings: Required<DiscordSettings>;

  constructor(options: DiscordFakeOptions = {}) {
    this.defaultApplication = {
      applicationId: options.applicationId ?? "100000000000000001",
      botToken: options.botToken ?? "fake-discord-bot-token",
    };
    this.defaultSettings = {
      autoCreateChannels: options.autoCreateChannels ?? false,
      autoRegisterInteractions: options.autoRegisterInteractions ?? false,
    };
    this.settings = { ...this.defaultSettings };
    this.applications.set(this.defaultApplication.applicationId, this.defaultApplication);
  }

  findApplicationByToken(botToken: string): DiscordApplication | undefined {
    return [...this.applications.values()].find((application) => application.botToken === botToken);
  }

  /** A channel's guild springs into existence with a default name ("Server 0001") if unknown. */
  createChannel(input: DiscordChannelInput): DiscordChannel {
    const channel = discordChannelSchema.parse(input);
    this.channels.set(channel.id, channel);
    if (!this.guilds.has(channel.guildId))
      this.upsertGuild({ id: channel.guildId, name: `Server ${channel.guildId.slice(-4).padStart(4, "0")}` });
    return channel;
  }

  /** Creates or renames a guild; fields left out keep their value (or the default). */
  upsertGuild(input: DiscordGuildInput): DiscordGuild {
    const { id, ...fields } = input;
    const parsed = discordGuildInputSchema.parse(fields);
    const existing = this.guilds.get(id);
    const guild: DiscordGuild = {
      id,
      name: parsed.name,
      ownerId: parsed.ownerId ?? existing?.ownerId ?? defaultGuildOwnerId,
      icon: parsed.icon === undefined ? (existing?.icon ?? null) : parsed.icon,
      botMember: parsed.botMember ?? existing?.botMember ?? true,
    };
    this.guilds.set(id, guild);
    return guild;
  }

  findChannel(channelId: string): DiscordChannel | undefined {
    const channel = this.channels.get(channelId);
    if (channel !== undefined || !this.settings.autoCreateChannels) return channel;
    return this.createChannel({ id: channelId, guildId: "0" });
  }

  registerInteraction(input: DiscordInteractionInput): Interaction {
    const parsed = discordInteractionInputSchema.parse(input);
    const createdAtMilliseconds = parsed.createdAt === undefined ? Date.now() : Date.parse(parsed.createdAt);
    const interaction: Interaction = {
      applicationId: parsed.applicationId ?? this.defaultApplication.applicationId,
      interactionId: parsed.interactionId ?? this.snowflakes.createSnowflake(createdAtMilliseconds),
      token: parsed.interactionToken,
      channelId: parsed.channelId,
      createdAtMilliseconds,
      callbackType: null,
      original: null,
      followUps: [],
      events: [],
    };
    interaction.original = this.createMessage(interaction.channelId, {}, createdAtMilliseconds);
    this.interactions.set(interaction.token, interaction);
    return interaction;
  }

  /** A message object with Discord's defaults; `fields` are the body fields the caller sent. */
  createMessage(
    channelId: string,
    fields: Partial<Pick<DiscordMessage, "content" | "embeds" | "components" | "flags" | "nonce">>,
    atMilliseconds = Date.now(),
  ): DiscordMessage {
    const author = this.defaultApplication.applicationId;
    return {
      id: this.snowflakes.createSnowflake(atMilliseconds),
      type: 0,
      channel_id: channelId,
      author: { id: author, username: "LiveLoot (fake)", discriminator: "0000", global_name: null, bot: true },
      content: fields.content ?? "",
      embeds: (fields.embeds ?? []).map((embed) => ({ type: "rich", ...embed })),
      components: fields.components ?? [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      flags: fields.flags ?? 0,
      timestamp: new Date(atMilliseconds).toISOString(),
      edited_timestamp: null,
      ...(fields.nonce === undefined ? {} : { nonce: fields.nonce }),
    };
  }

  /**
   * Stores a file and returns its attachment object. `origin` is the fake's own (from the request's
   * Host); the URL has the shape of Discord's CDN, `/attachments/{channel}/{attachment}/{filename}`.
   */
  createAttachment(
    file: { filename: string; content: string; contentType?: string | undefined; channelId?: string | undefined },
    origin: string,
  ): DiscordAttachment {
    const id = this.snowflakes.createSnowflake(Date.now());
    const path = `/attachments/${file.channelId ?? "0"}/${id}/${encodeURIComponent(file.filename)}`;
    const contentType = file.contentType ?? "application/octet-stream";
    const attachment: DiscordAttachment = {
      id,
      filename: file.filename,
      size: new TextEncoder().encode(file.content).byteLength,
      url: `${origin}${path}`,
      proxy_url: `${origin}${path}`,
      content_type: contentType,
    };
    this.attachments.set(id, { attachment, content: file.content, contentType });
    return attachment;
  }

  reset(): void {
    this.applications.clear();
    this.applications.set(this.defaultApplication.applicationId, this.defaultApplication);
    this.channels.clear();
    this.guilds.clear();
    this.messages.clear();
    this.nonces.clear();
    this.interactions.clear();
    this.attachments.clear();
    this.commands.clear();
    this.rateLimiter.clear();
    this.settings = { ...this.defaultSettings };
  }
}
