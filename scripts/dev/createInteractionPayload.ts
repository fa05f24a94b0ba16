import { createHash, randomBytes } from "node:crypto";
import type { CommandInput, OptionInput, PlaygroundChannel } from "../../playground/playgroundApi";

/** What Discord knows besides the command: the application, the server and its channels. */
export interface InteractionContext {
  applicationId: string;
  guildId: string;
  channels: readonly PlaygroundChannel[];
}

export const interactionType = { applicationCommand: 2, autocomplete: 4 } as const;

const optionType = { subcommand: 1, subcommandGroup: 2, channel: 7 } as const;

/** VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY: an ordinary member. */
const memberPermissions = (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n);
const manageGuildPermission = 1n << 5n;
/** What the bot itself may do in the channel (`app_permissions`). */
const botPermissions = memberPermissions;
const discordEpochMilliseconds = 1_420_070_400_000n;

let snowflakeSequence = 0n;

/**
 * A slash command or autocomplete interaction in Discord's wire shape (https://discord.com/developers/docs/interactions/receiving-and-responding), as
 * Discord would send it for this user in this server: a fresh id and token every time.
 */
export function createInteractionPayload(
  input: CommandInput,
  context: InteractionContext,
  options: {
    type: number;
    focused?: string;
    now?: number;
    /** Attachment objects by option name (uploaded to the Discord fake): the option's value becomes the id. */
    attachments?: Record<string, { id: string }>;
  } = { type: interactionType.applicationCommand },
): { payload: Record<string, unknown>; token: string; id: string } {
  const now = options.now ?? Date.now();
  const id = createSnowflake(now);
  // Discord's tokens are long URL-safe strings; this one is as unguessable.
  const token = `aW50ZXJhY3Rpb246${randomBytes(64).toString("base64url")}`;
  const channel = findChannel(context, input.channelId);
  const userId = createUserId(input.user.name);
  const permissions = input.user.manageServer ? memberPermissions | manageGuildPermission : memberPermissions;
  const user = {
    id: userId,
    username:
      input.user.name
        .toLowerCase()
        .replace(/[^a-z0-9_.]/g, "_")
        .slice(0, 32) || "user",
    global_name: input.user.name,
    discriminator: "0",
    avatar: null,
    public_flags: 0,
  };
  const attachments = options.attachments ?? {};
  const withAttachmentIds = {
    ...input,
    options: input.options.map(({ file: _file, ...option }) => {
      const attachment = attachments[option.name];
      return attachment === undefined ? option : { ...option, value: attachment.id };
    }),
  };
  const commandOptions = nestOptions(withAttachmentIds, options.focused);
  const resolvedAttachments = Object.fromEntries(
    Object.values(attachments).map((attachment) => [attachment.id, attachment]),
  );
  const resolvedChannels = collectChannels(input.options, context);
  const payload: Record<string, unknown> = {
    id,
    application_id: context.applicationId,
    type: options.type,
    token,
    version: 1,
    locale: input.user.locale,
    guild_locale: "en-US",
    guild_id: context.guildId,
    guild: { id: context.guildId, locale: "en-US", features: [] },
    channel_id: channel.id,
    channel: {
      id: channel.id,
      name: channel.name,
      type: 0,
      guild_id: context.guildId,
      permissions: String(permissions),
    },
    context: 0,
    authorizing_integration_owners: { "0": context.guildId },
    app_permissions: String(botPermissions),
    entitlements: [],
    attachment_size_limit: 10_485_760,
    member: {
      user,
      roles: [],
      permissions: String(permissions),
      joined_at: new Date(now - 86_400_000).toISOString(),
      nick: null,
      avatar: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      premium_since: null,
    },
    data: {
      id: createCommandId(input.command),
      name: input.command,
      type: 1,
      guild_id: context.guildId,
      ...(commandOptions.length > 0 ? { options: commandOptions } : {}),
      ...(Object.keys(resolvedChannels).length > 0 || Object.keys(resolvedAttachments).length > 0
        ? {
            resolved: {
              ...(Object.keys(resolvedChannels).length > 0 ? { channels: resolvedChannels } : {}),
              ...(Object.keys(resolvedAttachments).length > 0 ? { attachments: resolvedAttachments } : {}),
            },
          }
        : {}),
    },
  };
  return { payload, token, id };
}

/** `/raffle start channel:#giveaways every:5`, for the conversation list. */
export function describeCommandLine(input: CommandInput, channels: readonly PlaygroundChannel[] = []): string {
  const words = [`/${input.command}`, input.subcommandGroup, input.subcommand].filter(Boolean);
  for (const option of input.options) {
    const channel = option.type === optionType.channel && channels.find((entry) => entry.id === String(option.value));
    words.push(`${option.name}:${channel ? `#${channel.name}` : String(option.value)}`);
  }
  return words.join(" ");
}

function nestOptions(input: CommandInput, focused: string | undefined): Record<string, unknown>[] {
  let options: Record<string, unknown>[] = input.options.map((option) => ({
    name: option.name,
    type: option.type,
    value: option.value,
    ...(option.name === focused ? { focused: true } : {}),
  }));
  if (input.subcommand !== undefined) {
    options = [{ name: input.subcommand, type: optionType.subcommand, options }];
  }
  if (input.subcommandGroup !== undefined) {
    options = [{ name: input.subcommandGroup, type: optionType.subcommandGroup, options }];
  }
  return options;
}

function collectChannels(options: OptionInput[], context: InteractionContext): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  for (const option of options) {
    if (option.type !== optionType.channel) continue;
    const channel = findChannel(context, String(option.value));
    channels[channel.id] = { id: channel.id, name: channel.name, type: 0, permissions: String(botPermissions) };
  }
  return channels;
}

function findChannel(context: InteractionContext, channelId: string): PlaygroundChannel {
  return context.channels.find((channel) => channel.id === channelId) ?? { id: channelId, name: "unknown" };
}

/** A snowflake for `milliseconds`: time in the high bits, a counter below. */
export function createSnowflake(milliseconds: number): string {
  snowflakeSequence = (snowflakeSequence + 1n) % 4096n;
  return String(((BigInt(milliseconds) - discordEpochMilliseconds) << 22n) | snowflakeSequence);
}

/** The same name is the same Discord user across runs, so links and history stay theirs. */
export function createUserId(name: string): string {
  return createStableId("user", name, "5");
}

function createCommandId(name: string): string {
  return createStableId("command", name, "6");
}

function createStableId(kind: string, text: string, prefix: string): string {
  const digest = createHash("sha256").update(`${kind}:${text}`).digest();
  const number = digest.readBigUInt64BE(0) % 10n ** 17n;
  return `${prefix}${String(number).padStart(17, "0")}`;
}
