import type { DiscordAttachment } from "../../../devkit/fakes/discordControl";
import { testCredentials } from "../../../devkit/localBindings";

/** Random Discord-looking ids, so parallel tests never share a guild, channel or user. */
export function createSnowflake(): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  // 19 digits, like today's snowflakes (2^60 and up).
  return (BigInt(1e18) + ((BigInt(random[0] ?? 0) << 28n) ^ BigInt(random[1] ?? 0))).toString();
}

export interface InteractionScene {
  guildId: string;
  channelId: string;
  userId: string;
  locale?: string;
  /** Decimal permission bitfield of the member; defaults to Manage Server. */
  permissions?: string;
  /** The server's language (Discord's guild_locale); defaults to en-US. */
  guildLocale?: string;
}

export function createScene(overrides: Partial<InteractionScene> = {}): InteractionScene {
  return { guildId: createSnowflake(), channelId: createSnowflake(), userId: createSnowflake(), ...overrides };
}

type OptionValue = string | number | boolean;

/**
 * A slash command interaction as Discord sends it: `/group subcommand option:value…`, or
 * `/command option:value…` for a command without subcommands (`subcommand` empty).
 */
export function buildCommand(
  scene: InteractionScene,
  group: string,
  subcommand: string,
  options: Record<string, OptionValue> = {},
  extra: {
    type?: number;
    token?: string;
    focused?: string;
    /** Attachment options by name (type 11): their value is the id, the file is in `resolved`. */
    attachments?: Record<string, DiscordAttachment>;
  } = {},
) {
  const attachments = Object.entries(extra.attachments ?? {});
  const values = Object.entries(options)
    .map(([name, value]) => ({
      name,
      type: typeof value === "number" ? 4 : typeof value === "boolean" ? 5 : 3,
      value,
      ...(extra.focused === name ? { focused: true } : {}),
    }))
    .concat(attachments.map(([name, attachment]) => ({ name, type: 11, value: attachment.id })));
  return {
    id: createSnowflake(),
    application_id: testCredentials.discordApplicationId,
    type: extra.type ?? 2,
    token: extra.token ?? `interaction-token-${createSnowflake()}`,
    version: 1,
    guild_id: scene.guildId,
    channel_id: scene.channelId,
    locale: scene.locale ?? "en-US",
    guild_locale: scene.guildLocale ?? "en-US",
    context: 0,
    member: {
      user: { id: scene.userId, username: "streamer", global_name: "Streamer" },
      permissions: scene.permissions ?? String(1n << 5n),
    },
    data: {
      id: createSnowflake(),
      name: group,
      type: 1,
      options: subcommand === "" ? values : [{ name: subcommand, type: 1, options: values }],
      ...(attachments.length === 0
        ? {}
        : {
            resolved: {
              attachments: Object.fromEntries(attachments.map(([, attachment]) => [attachment.id, attachment])),
            },
          }),
    },
  };
}
