import type { CommandCase } from "./measureCommand";
import type { CommandGuilds } from "./seedCommandGuilds";
import { buildCommandInteraction, buildPingInteraction } from "./signedInteractions";

const responseType = { pong: 1, message: 4, deferred: 5, choices: 8 } as const;
const optionType = { string: 3, integer: 4, channel: 7 } as const;

export interface CommandCases {
  ping: CommandCase;
  /** Run in the main guild, any number at once. */
  commands: CommandCase[];
  /** Run in the lane guilds, one lane per guild: a start, then a stop. */
  raffleStart: CommandCase;
  raffleStop: CommandCase;
}

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text?: string };
}

interface Answer {
  type?: number;
  data?: { content?: string; embeds?: Embed[]; choices?: unknown[] };
}

function firstEmbed(answer: unknown): Embed | undefined {
  return (answer as Answer).data?.embeds?.[0];
}

function content(answer: unknown): string {
  return (answer as Answer).data?.content ?? "";
}

/**
 * The commands a streamer uses most, each with a check that it did the real work (an error reply
 * such as "no raffle is running" answers as fast and would flatter the numbers).
 */
export function createCommandCases(guilds: CommandGuilds, pastDraws: number): CommandCases {
  const { main, lanes, itemNames } = guilds;
  const itemName = (index: number) => itemNames[index % itemNames.length] ?? "Mystery box";
  return {
    ping: {
      label: "PING (type 1)",
      build: () => buildPingInteraction(),
      responseType: responseType.pong,
      check: () => undefined,
    },
    commands: [
      {
        label: "/loot list",
        build: () => buildCommandInteraction(main, { command: "loot", subcommand: "list" }),
        responseType: responseType.message,
        check: (answer) =>
          firstEmbed(answer)?.footer?.text?.startsWith(`${itemNames.length} of ${itemNames.length} items`)
            ? undefined
            : "not the whole loot table",
      },
      {
        // Each lane updates its own item, with a new weight each time: the "Updated …" path.
        label: "/loot add",
        build: (lane, index) =>
          buildCommandInteraction(main, {
            command: "loot",
            subcommand: "add",
            options: [
              { name: "name", type: optionType.string, value: itemName(lane) },
              { name: "weight", type: optionType.integer, value: 10 + (index % 40) },
            ],
          }),
        responseType: responseType.message,
        check: (answer) => (content(answer).startsWith("Updated **") ? undefined : "no item updated"),
      },
      {
        label: "/loot remove (autocomplete)",
        build: (_lane, index) =>
          buildCommandInteraction(main, {
            command: "loot",
            subcommand: "remove",
            options: [
              { name: "name", type: optionType.string, value: ["s", "st", "ste", "sk", "gift"][index % 5] ?? "s" },
            ],
            focused: "name",
          }),
        responseType: responseType.choices,
        check: (answer) => ((answer as Answer).data?.choices?.length ? undefined : "no choices"),
      },
      {
        label: "/raffle status",
        build: () => buildCommandInteraction(main, { command: "raffle", subcommand: "status" }),
        responseType: responseType.message,
        check: (answer) => {
          const fields = firstEmbed(answer)?.fields ?? [];
          return fields.some((field) => field.value.includes("running")) ? undefined : "no running raffle shown";
        },
      },
      {
        label: "/raffle history",
        build: (_lane, index) =>
          buildCommandInteraction(main, {
            command: "raffle",
            subcommand: "history",
            // Mostly the first page, as streamers do; every fifth asks for a later one.
            options: index % 5 === 4 ? [{ name: "page", type: optionType.integer, value: 1 + (index % 20) }] : [],
          }),
        responseType: responseType.message,
        check: (answer) =>
          firstEmbed(answer)?.footer?.text?.includes(`${pastDraws} draws`) ? undefined : `not ${pastDraws} draws`,
      },
      {
        label: "/twitch status",
        build: () => buildCommandInteraction(main, { command: "twitch", subcommand: "status" }),
        responseType: responseType.deferred,
        check: () => undefined,
        checkEdit: (edit) => {
          const fields = (edit as { embeds?: Embed[] }).embeds?.[0]?.fields ?? [];
          return fields.some((field) => field.value.startsWith("✅ valid"))
            ? undefined
            : "the token is not reported valid";
        },
      },
    ],
    raffleStart: {
      label: "/raffle start",
      build: (lane) => {
        const guild = lanes[lane];
        if (guild === undefined) throw new Error(`no guild for lane ${lane}`);
        return buildCommandInteraction(guild, {
          command: "raffle",
          subcommand: "start",
          options: [
            { name: "channel", type: optionType.channel, value: guild.channelId },
            { name: "every", type: optionType.integer, value: 2 },
          ],
        });
      },
      responseType: responseType.message,
      check: (answer) => (content(answer).startsWith("🎁 Raffle started") ? undefined : "no raffle started"),
    },
    raffleStop: {
      label: "/raffle stop",
      build: (lane) => {
        const guild = lanes[lane];
        if (guild === undefined) throw new Error(`no guild for lane ${lane}`);
        return buildCommandInteraction(guild, { command: "raffle", subcommand: "stop" });
      },
      responseType: responseType.message,
      check: (answer) => (content(answer).startsWith("The raffle is stopped.") ? undefined : "no raffle stopped"),
    },
  };
}
