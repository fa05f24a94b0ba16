import * as z from "zod/mini";
import { type CommandTextKey, localizeCommandText } from "../../i18n/commandTexts";
import type { Locale, MessageKey } from "../../i18n/translate";
import { type CommandOptionDefinition, UserFacingError } from "./CommandGroup";
import { describeLimit, discordIdPattern, type Limit, optionLimits, twitchLoginPattern } from "./optionLimits";

/** The names of options that have texts (`option.<name>` in commandTexts). */
export type OptionName = CommandTextKey extends infer Key ? (Key extends `option.${infer Name}` ? Name : never) : never;

/** Discord's application command option types that LiveLoot uses. */
export const optionType = { subcommand: 1, string: 3, integer: 4, boolean: 5, channel: 7, attachment: 11 } as const;

/** GUILD_TEXT and GUILD_ANNOUNCEMENT: channels a bot can post embeds in. */
const announceableChannelTypes = [0, 5];

type OptionJson = Omit<
  CommandOptionDefinition,
  "name" | "description" | "name_localizations" | "description_localizations"
>;

/**
 * One option, declared once: Discord's JSON for it and the zod schema that parses its value both
 * come from here, with the message a bad value gets and the range that message states.
 */
export class CommandOption<Schema extends z.ZodMiniType = z.ZodMiniType> {
  constructor(
    readonly schema: Schema,
    private readonly json: OptionJson,
    private readonly invalid: MessageKey,
    private readonly limit?: Limit,
  ) {}

  /** The option's JSON, localized from commandTexts by its name; a description may state its limit. */
  describe(name: OptionName): CommandOptionDefinition {
    const limit = this.limit;
    const describe = limit ? (locale: Locale) => describeLimit(limit, locale) : undefined;
    const { type, ...settings } = this.json;
    return { type, ...localizeCommandText(`option.${name}`, describe), ...settings };
  }

  /** The user's mistake with this option, in their language, with the range it must be in. */
  refuse(locale: Locale): UserFacingError {
    return new UserFacingError(this.invalid, this.limit ? describeLimit(this.limit, locale) : {});
  }

  /** The same option, not required. */
  optional(): CommandOption<z.ZodMiniOptional<Schema>> {
    const { required: _required, ...json } = this.json;
    return new CommandOption(z.optional(this.schema), json, this.invalid, this.limit);
  }

  /** The same option, not required, `value` when omitted. */
  withDefault(value: z.output<Schema> & {}): CommandOption<z.ZodMiniDefault<Schema>> {
    const { required: _required, ...json } = this.json;
    // zod types the default as NoUndefined<output>, which TypeScript cannot see through generically.
    const schema = z._default(this.schema, value as Parameters<typeof z._default<Schema>>[1]);
    return new CommandOption(schema, json, this.invalid, this.limit);
  }
}

/** A whole number within `limit`: required, until `.optional()` or `.withDefault()`. */
export function integerOption(limit: Limit, invalid: MessageKey): CommandOption<z.ZodMiniNumber<number>> {
  return new CommandOption(
    z.number().check(z.int(), z.gte(limit.minimum), z.lte(limit.maximum)),
    { type: optionType.integer, required: true, min_value: limit.minimum, max_value: limit.maximum },
    invalid,
    limit,
  );
}

/** Text whose length, once trimmed, is within `limit`. */
export function textOption(
  limit: Limit,
  invalid: MessageKey,
  settings: { autocomplete?: boolean } = {},
): CommandOption<z.ZodMiniString<string>> {
  return new CommandOption(
    z.string().check(z.trim(), z.minLength(limit.minimum), z.maxLength(limit.maximum)),
    {
      type: optionType.string,
      required: true,
      ...(settings.autocomplete ? { autocomplete: true } : {}),
      min_length: limit.minimum,
      max_length: limit.maximum,
    },
    invalid,
    limit,
  );
}

/** A Twitch login, as typed (`@Name` too), parsed into the lower-case login the database stores. */
export function twitchLoginOption(invalid: MessageKey) {
  const limit = optionLimits.twitchLogin;
  return new CommandOption(
    z.pipe(
      z.pipe(
        z.string().check(z.trim()),
        z.transform((value: string) => value.replace(/^@/, "").toLowerCase()),
      ),
      z.string().check(z.regex(twitchLoginPattern)),
    ),
    // One character more than a login: room for a leading @.
    { type: optionType.string, required: true, min_length: limit.minimum, max_length: limit.maximum + 1 },
    invalid,
    limit,
  );
}

/** A server channel the bot can announce in; its value is the channel's id. */
export function channelOption(invalid: MessageKey): CommandOption<z.ZodMiniString<string>> {
  return new CommandOption(
    z.string().check(z.regex(discordIdPattern)),
    { type: optionType.channel, required: true, channel_types: announceableChannelTypes },
    invalid,
  );
}

export function booleanOption(): CommandOption<z.ZodMiniBoolean<boolean>> {
  return new CommandOption(z.boolean(), { type: optionType.boolean, required: true }, "invalidOptions");
}

/** A file the user uploads; its value is the attachment's id, looked up in `invocation.attachments`. */
export function attachmentOption(invalid: MessageKey): CommandOption<z.ZodMiniString<string>> {
  return new CommandOption(
    z.string().check(z.regex(discordIdPattern)),
    { type: optionType.attachment, required: true },
    invalid,
  );
}
