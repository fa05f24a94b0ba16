import type { AppContext } from "../../context";
import { type CommandTextKey, localizeCommandText } from "../../i18n/commandTexts";
import type { Locale, MessageKey } from "../../i18n/translate";
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
  /** Files given to attachment options, by attachment id (the option's value). */
  attachments: Record<string, Attachment>;
  focusedOption: string | undefined;
}

/** A file a user attached to a command (Discord's resolved attachment). */
export interface Attachment {
  id: string;
  filename: string;
  /** Bytes, as Discord reports it. */
  size: number;
  url: string;
  contentType: string | undefined;
}

/** What a handler answers; the interaction pipeline turns it into Discord's response. */
export type CommandReply =
  | { kind: "message"; body: MessageBody; ephemeral: boolean }
  | { kind: "deferred"; ephemeral: boolean; complete: () => Promise<MessageBody> }
  | { kind: "choices"; choices: { name: string; value: string }[] };

/**
 * One subcommand, whole: its Discord JSON (a type-1 option, localized) and its handlers. Options
 * are parsed and validated by the time `run` reaches the handler (defineSubcommand.ts).
 */
export interface Subcommand<Key extends SubcommandTextKey = SubcommandTextKey> {
  /** Its commandTexts key, `group.subcommand`. */
  key: Key;
  name: string;
  definition: CommandOptionDefinition;
  run(invocation: Invocation): Promise<CommandReply>;
  autocomplete?(invocation: Invocation): Promise<CommandReply>;
}

/** A top-level slash command (`/twitch`, `/loot`, `/raffle`): its Discord definition and its subcommands by name. */
export interface CommandGroup {
  name: string;
  definition: CommandDefinition;
  subcommands: Record<string, Subcommand>;
}

/** The commandTexts keys of the top-level commands, e.g. `raffle`. */
export type GroupTextKey = Exclude<CommandTextKey, `${string}.${string}`>;

/** The commandTexts keys of subcommands, e.g. `raffle.start`. */
export type SubcommandTextKey = Exclude<Extract<CommandTextKey, `${string}.${string}`>, `option.${string}`>;

/**
 * Assembles a top-level command from its subcommands: the registered JSON lists them in this
 * order, and the router finds each by the same name, so a definition never lacks its handler.
 */
export function defineCommandGroup<Group extends GroupTextKey>(
  key: Group,
  subcommands: Subcommand<Extract<SubcommandTextKey, `${Group}.${string}`>>[],
): CommandGroup {
  const definition: CommandDefinition = {
    ...localizeCommandText(key),
    type: 1,
    default_member_permissions: manageGuildPermission,
    contexts: [0],
    integration_types: [0],
    options: subcommands.map((subcommand) => subcommand.definition),
  };
  const byName = new Map(subcommands.map((subcommand) => [subcommand.name, subcommand]));
  if (byName.size !== subcommands.length) throw new Error(`/${definition.name} declares a subcommand twice`);
  return { name: definition.name, definition, subcommands: Object.fromEntries(byName) };
}

/** Where a command without subcommands keeps its one handler in `subcommands`. */
export const rootSubcommandName = "";

/**
 * A top-level command without subcommands (`/overlay`): `command`'s options become the command's
 * own, and the router runs it for the bare command.
 */
export function defineSingleCommand<Group extends GroupTextKey>(
  key: Group,
  command: Subcommand<Extract<SubcommandTextKey, `${Group}.${string}`>>,
): CommandGroup {
  const definition: CommandDefinition = {
    ...localizeCommandText(key),
    type: 1,
    default_member_permissions: manageGuildPermission,
    contexts: [0],
    integration_types: [0],
    ...(command.definition.options ? { options: command.definition.options } : {}),
  };
  return { name: definition.name, definition, subcommands: { [rootSubcommandName]: command } };
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
