import { describe, expect, test } from "vitest";
import type { CommandInput } from "../../../playground/playgroundApi";
import {
  createInteractionPayload,
  createUserId,
  describeCommandLine,
} from "../../../scripts/dev/createInteractionPayload";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import { interactionSchema } from "../../../worker/discord/interaction.external";
import { canManageGuild, parsePermissions } from "../../../worker/discord/permissions";

const context = {
  applicationId: devFixtures.credentials.discordApplicationId,
  guildId: devFixtures.guild.id,
  channels: devFixtures.channels,
};
const general = devFixtures.channels[0];
const giveaways = devFixtures.channels[1];

function lootAdd(overrides: Partial<CommandInput> = {}): CommandInput {
  return {
    user: { name: "Streamer", manageServer: true, locale: "pt-BR" },
    channelId: general.id,
    command: "loot",
    subcommand: "add",
    options: [
      { name: "name", type: 3, value: "Sword" },
      { name: "weight", type: 4, value: 10 },
    ],
    ...overrides,
  };
}

describe("the playground's interactions", () => {
  test("have Discord's wire shape: the Worker's own schema reads them", () => {
    const { payload, token, id } = createInteractionPayload(lootAdd(), context, { type: 2 });
    const parsed = interactionSchema.parse(payload);
    expect(parsed).toMatchObject({
      id,
      token,
      type: 2,
      application_id: context.applicationId,
      guild_id: context.guildId,
      channel_id: general.id,
      locale: "pt-BR",
      data: {
        name: "loot",
        options: [
          {
            name: "add",
            type: 1,
            options: [
              { name: "name", type: 3, value: "Sword" },
              { name: "weight", type: 4, value: 10 },
            ],
          },
        ],
      },
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{60,}$/);
    expect(describeCommandLine(lootAdd())).toBe("/loot add name:Sword weight:10");
  });

  test("carry Manage Server only when the user has it", () => {
    const admin = interactionSchema.parse(createInteractionPayload(lootAdd(), context).payload);
    const member = interactionSchema.parse(
      createInteractionPayload(lootAdd({ user: { name: "Viewer", manageServer: false, locale: "en-US" } }), context)
        .payload,
    );
    expect(canManageGuild(parsePermissions(admin.member?.permissions))).toBe(true);
    expect(canManageGuild(parsePermissions(member.member?.permissions))).toBe(false);
  });

  test("give the same name the same user id, and every interaction a new id and token", () => {
    expect(createUserId("Streamer")).toBe(createUserId("Streamer"));
    expect(createUserId("Streamer")).not.toBe(createUserId("Viewer"));
    expect(createUserId("Streamer")).toMatch(/^\d{18}$/);
    const first = createInteractionPayload(lootAdd(), context);
    const second = createInteractionPayload(lootAdd(), context);
    expect(first.id).not.toBe(second.id);
    expect(first.token).not.toBe(second.token);
  });

  test("mark the focused option of an autocomplete and resolve channel options", () => {
    const autocomplete = createInteractionPayload(
      { ...lootAdd(), subcommand: "remove", options: [{ name: "name", type: 3, value: "Sw" }] },
      context,
      { type: 4, focused: "name" },
    ).payload;
    expect(interactionSchema.parse(autocomplete).data?.options?.[0]?.options?.[0]).toEqual({
      name: "name",
      type: 3,
      value: "Sw",
      focused: true,
    });
    const start = createInteractionPayload(
      {
        ...lootAdd(),
        command: "raffle",
        subcommand: "start",
        options: [{ name: "channel", type: 7, value: giveaways.id }],
      },
      context,
    ).payload;
    expect(start).toMatchObject({ data: { resolved: { channels: { [giveaways.id]: { name: giveaways.name } } } } });
    expect(
      describeCommandLine(
        {
          ...lootAdd(),
          command: "raffle",
          subcommand: "start",
          options: [{ name: "channel", type: 7, value: giveaways.id }],
        },
        devFixtures.channels,
      ),
    ).toBe("/raffle start channel:#giveaways");
  });
});
