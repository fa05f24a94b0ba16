import type { CommandDefinition, CommandGroup } from "./CommandGroup";
import { lootCommands } from "./loot/lootCommands";
import { raffleCommands } from "./raffle/raffleCommands";
import { twitchCommands } from "./twitch/twitchCommands";

/** Every slash command, read by the interaction router and by `npm run register`. */
export const commandGroups: CommandGroup[] = [twitchCommands, lootCommands, raffleCommands];

export function findCommandGroup(name: string): CommandGroup | undefined {
  return commandGroups.find((group) => group.name === name);
}

export function listCommandDefinitions(): CommandDefinition[] {
  return commandGroups.map((group) => group.definition);
}
