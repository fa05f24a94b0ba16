import type { z } from "zod";
import type { AppContext } from "../../context";
import { type CommandTextKey, localizeCommandText } from "../../i18n/commandTexts";
import { isMessageKey, type Locale, type MessageKey } from "../../i18n/translate";
import type { MessageBody } from "../message";

/** One slash command invocation, mapped from Discord's wire shape into the app's terms. */
export interface Invocation {
  app: AppContext;
  /** The user's language, for replies. */
  locale: Locale;
  /** The server's language, for public posts (announcements) and what the tick says later. */
  guildLocale: Locale;
  interactionId: string;
  interactionToken: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  userId: string;
  /** The member's display name (global name, else username), for pages that say who asked. */
  userName: string;
  subcommand: string;
  options: Record<string, string | number | boolean>;
  focusedOption: string | undefined;
}

/** What a handler answers; the interaction pipeline turns it into Discord's response. */
export type CommandReply =
  | { kind: "message"; body: MessageBody; ephemeral: boolean }
  | { kind: "deferred"; ephemeral: boolean; complete: () => Promise<MessageBody> }
  | { kind: "choices"; choices: { name: string; value: string }[] };

/** A subcommand's behaviour: options already validated by the time `run` reaches the handler. */
export interface Subcommand {
  run(invocation: Invocation): Promise<CommandReply>;
  autocomplete?(invocation: Invocation): Promise<CommandReply>;
}

/**
 * Binds an option schema to its handler. Invalid options become a UserFacingError whose key
 * is the schema's error message, so the reply names the problem in the user's language.
 */
export function defineSubcommand<Schema extends z.ZodType>(
  options: Schema,
  handle: (invocation: Invocation, options: z.output<Schema>) => Promise<CommandReply>,
  autocomplete?: (invocation: Invocation) => Promise<CommandReply>,
): Subcommand {
  return {
    async run(invocation) {
      const parsed = options.safeParse(invocation.options);
      if (!parsed.success) {
        const key = parsed.error.issues[0]?.message ?? "invalidOptions";
        throw new UserFacingError(isMessageKey(key) ? key : "invalidOptions");
      }
      return handle(invocation, parsed.data);
    },
    ...(autocomplete ? { autocomplete } : {}),
  };
}

/** A top-level slash command (`/twitch`, `/loot`, `/raffle`): its Discord definition and handlers. */
export interface CommandGroup {
  name: string;
  definition: CommandDefinition;
  subcommands: Record<string, Subcommand>;
}

/** Discord's application command JSON (bulk-overwrite shape). */
export interface CommandDefinition {
  name: string;
  description: string;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
  type?: 1;
  default_member_permissions?: string | null;
  contexts?: number[];
  integration_types?: number[];
  options?: CommandOptionDefinition[];
}

export interface CommandOptionDefinition {
  type: number;
  name: string;
  description: string;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
  required?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  autocomplete?: boolean;
  channel_types?: number[];
  options?: CommandOptionDefinition[];
}

/** A user mistake: answered as an ephemeral, localized message, never an error response. */
export class UserFacingError extends Error {
  constructor(
    readonly messageKey: MessageKey,
    readonly parameters: Record<string, string | number> = {},
  ) {
    super(messageKey);
    this.name = "UserFacingError";
  }
}

/** MANAGE_GUILD, as Discord's string bitfield. */
export const manageGuildPermission = String(1n << 5n);

/** A subcommand (type 1) with its localized name and description. */
export function subcommandOption(
  key: CommandTextKey,
  options: CommandOptionDefinition[] = [],
): CommandOptionDefinition {
  return { type: 1, ...localizeCommandText(key), ...(options.length > 0 ? { options } : {}) };
}

/** A typed option with its localized name and description. */
export function commandOption(
  type: number,
  key: CommandTextKey,
  extra: Omit<CommandOptionDefinition, "type" | "name" | "description"> = {},
): CommandOptionDefinition {
  return { type, ...localizeCommandText(key), ...extra };
}
