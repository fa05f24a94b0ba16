import type { AppContext } from "../../context";
import type { Locale } from "../../i18n/translate";
import type { MessageBody } from "../message";
import type { CommandDefinition, CommandGroup } from "./CommandGroup";
import { lootCommands } from "./loot/lootCommands";
import { removalConfirmation } from "./loot/remove";
import { overlayCommand } from "./overlay/overlayCommand";
import { raffleCommands } from "./raffle/raffleCommands";
import { twitchCommands } from "./twitch/twitchCommands";

/** Every slash command, read by the interaction router and by `npm run register`. */
export const commandGroups: CommandGroup[] = [twitchCommands, lootCommands, raffleCommands, overlayCommand];

export function findCommandGroup(name: string): CommandGroup | undefined {
  return commandGroups.find((group) => group.name === name);
}

export function listCommandDefinitions(): CommandDefinition[] {
  return commandGroups.map((group) => group.definition);
}

/** A click on one of the app's buttons, in a server, by a member with Manage Server. */
export interface ComponentInvocation {
  app: AppContext;
  locale: Locale;
  guildId: string;
  userId: string;
  customId: string;
}

/** The buttons (message components) the app answers, found by their custom_id. */
export interface ComponentHandler {
  matches(customId: string): boolean;
  /** What the message the button was on becomes (Discord's UPDATE_MESSAGE). */
  handle(component: ComponentInvocation): Promise<MessageBody>;
}

const componentHandlers: ComponentHandler[] = [removalConfirmation];

export function findComponentHandler(customId: string): ComponentHandler | undefined {
  return componentHandlers.find((handler) => handler.matches(customId));
}
