import { describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import {
  createChatter,
  createLinkedScene,
  createRunningRaffle,
  drawNow,
  expectEphemeralReply,
  expectPublicReply,
  insertDraws,
  message,
  readDraws,
  readEmbed,
  readItems,
  readRaffles,
  useTestDatabase,
} from "../../support/worker/commandHelpers";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, createSnowflake } from "../../support/worker/interactions";

const database = useTestDatabase();

function startedText(login: string, channelId: string, every: number, cooldown: number): string {
  return `🎁 Raffle started for **${login.replace(/_/g, "\\_")}**! While the stream is live, a winner is drawn every ${every} min and announced in <#${channelId}>. Winners wait ${cooldown} min before they can win again.`;
}

async function readExclusions(guildId: string) {
  return database.query<{ twitch_login: string; excluded_by_discord_user_id: string | null }>(
    "select twitch_login, excluded_by_discord_user_id from excluded_viewers where guild_id = $1 order by twitch_login",
    [guildId],
  );
}

describe("/raffle start", () => {
  it("asks for a Twitch link first, storing nothing", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    const result = await runCommand(scene, "raffle", "start");
    expectEphemeralReply(result, "No Twitch account is linked yet. Run `/twitch connect` to link one.");
    expect(await readRaffles(database, scene.guildId)).toEqual([]);
  });

  it("asks for loot first when the table is empty or everything is out of stock", async () => {
    const { scene } = await createLinkedScene();
    expectEphemeralReply(await runCommand(scene, "raffle", "start"), message("raffleNeedsLoot"));
    await runCommand(scene, "loot", "add", { name: "Potion", weight: 1, stock: 1 });
    await database.query("update loot_items set stock = 0 where guild_id = $1", [scene.guildId]);
    expectEphemeralReply(
      await runCommand(scene, "raffle", "start"),
      "The loot table has nothing left to win. Add items with `/loot add` first.",
    );
    expect(await readRaffles(database, scene.guildId)).toEqual([]);
  });

  it("asks to relink when the Twitch link has expired", async () => {
    const { scene } = await createLinkedScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    await database.query("update twitch_links set status = 'needs_reauth' where guild_id = $1", [scene.guildId]);
    expectEphemeralReply(await runCommand(scene, "raffle", "start"), message("twitchNeedsReauthReply"));
    expect(await readRaffles(database, scene.guildId)).toEqual([]);
  });

  it("starts a running raffle in the current channel with every 1 and cooldown 30 by default", async () => {
    const { scene, streamer } = await createLinkedScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    const before = Date.now();
    const result = await runCommand(scene, "raffle", "start");
    expectPublicReply(result, startedText(streamer.login, scene.channelId, 1, 30));
    const raffles = await readRaffles(database, scene.guildId);
    expect(raffles).toEqual([
      expect.objectContaining({
        discord_channel_id: scene.channelId,
        twitch_broadcaster_id: streamer.id,
        twitch_broadcaster_login: streamer.login,
        every_minutes: 1,
        cooldown_minutes: 30,
        status: "running",
        status_reason: null,
        started_by_discord_user_id: scene.userId,
        stopped_at: null,
        draw_count: 0,
      }),
    ]);
    const [raffle] = raffles;
    expect(raffle?.started_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(raffle?.next_slot_at.getTime()).toBe(Math.floor((raffle?.started_at.getTime() ?? 0) / 60_000) * 60_000);
  });

  it("uses the channel, every and cooldown given, including the extremes", async () => {
    const { scene, streamer } = await createLinkedScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    const announcements = createSnowflake();
    const result = await runCommand(scene, "raffle", "start", { channel: announcements, every: 60, cooldown: 0 });
    expectPublicReply(result, startedText(streamer.login, announcements, 60, 0));
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({ discord_channel_id: announcements, every_minutes: 60, cooldown_minutes: 0 }),
    ]);

    await runCommand(scene, "raffle", "stop");
    await runCommand(scene, "raffle", "start", { every: 7, cooldown: 1440 });
    const raffles = await readRaffles(database, scene.guildId);
    expect(raffles.map((raffle) => [raffle.status, raffle.every_minutes, raffle.cooldown_minutes])).toEqual([
      ["stopped", 60, 0],
      ["running", 7, 1440],
    ]);
  });

  it("refuses a second raffle while one is running", async () => {
    const { scene } = await createLinkedScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    await runCommand(scene, "raffle", "start");
    const second = await runCommand(scene, "raffle", "start", { every: 5 });
    expectEphemeralReply(second, "A raffle is already running in this server. Stop it with `/raffle stop` first.");
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({ status: "running", every_minutes: 1 }),
    ]);
  });

  it("resumes a paused raffle with the new settings instead of starting a second one", async () => {
    const { scene, streamer } = await createLinkedScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    await runCommand(scene, "raffle", "start");
    await database.query(
      "update raffles set status = 'paused', status_reason = 'channel_unavailable' where guild_id = $1",
      [scene.guildId],
    );
    const elsewhere = createSnowflake();
    expectPublicReply(
      await runCommand(scene, "raffle", "start", { channel: elsewhere, every: 3, cooldown: 5 }),
      startedText(streamer.login, elsewhere, 3, 5),
    );
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({
        status: "running",
        status_reason: null,
        discord_channel_id: elsewhere,
        every_minutes: 3,
        cooldown_minutes: 5,
      }),
    ]);
  });

  it.each([
    ["every 0", { every: 0 }, message("raffleEveryInvalid")],
    ["every 61", { every: 61 }, "`every` must be a whole number of minutes from 1 to 60."],
    ["every 1.5", { every: 1.5 }, message("raffleEveryInvalid")],
    ["cooldown -1", { cooldown: -1 }, message("raffleCooldownInvalid")],
    ["cooldown 1441", { cooldown: 1441 }, "`cooldown` must be a whole number of minutes from 0 to 1440."],
    ["a channel that is not an id", { channel: "general" }, "That is not a channel I can announce in."],
  ] as const)("refuses %s with a message naming it, starting nothing", async (_label, options, text) => {
    const { scene } = await createLinkedScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    expectEphemeralReply(await runCommand(scene, "raffle", "start", options), text);
    expect(await readRaffles(database, scene.guildId)).toEqual([]);
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const unlinked = createScene({ locale: "pt-BR" });
    expectEphemeralReply(
      await runCommand(unlinked, "raffle", "start"),
      "Nenhuma conta da Twitch está vinculada. Use `/twitch conectar` para vincular uma.",
    );
    expectEphemeralReply(
      await runCommand(unlinked, "raffle", "start", { every: 0 }),
      "`intervalo` deve ser um número inteiro de minutos de 1 a 60.",
    );
    const { scene, streamer } = await createLinkedScene({ locale: "pt-BR" });
    await runCommand(scene, "loot", "add", { name: "Espada", weight: 1 });
    expectPublicReply(
      await runCommand(scene, "raffle", "start"),
      `🎁 Sorteio iniciado para **${streamer.login.replace(/_/g, "\\_")}**! Enquanto a live estiver no ar, um ganhador é sorteado a cada 1 min e anunciado em <#${scene.channelId}>. Ganhadores esperam 30 min para ganhar de novo.`,
    );
  });

  it("refuses a member without Manage Server", async () => {
    const { scene } = await createLinkedScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    const member = { ...scene, userId: createSnowflake(), permissions: "0" };
    expectEphemeralReply(await runCommand(member, "raffle", "start"), message("needsManageServer"));
    expectEphemeralReply(await runCommand(member, "raffle", "draw"), message("needsManageServer"));
    expect(await readRaffles(database, scene.guildId)).toEqual([]);
  });
});

describe("/raffle stop", () => {
  it("stops the running raffle and says how many winners were drawn", async () => {
    const { scene } = await createRunningRaffle();
    await drawNow(scene);
    await drawNow(scene);
    const result = await runCommand(scene, "raffle", "stop");
    expectPublicReply(result, "The raffle is stopped. 2 winners were drawn in this server so far.");
    const [raffle] = await readRaffles(database, scene.guildId);
    expect(raffle).toMatchObject({ status: "stopped", status_reason: "stopped_by_user", draw_count: 2 });
    expect(raffle?.stopped_at).toBeInstanceOf(Date);
  });

  it("stops a paused raffle too", async () => {
    const { scene } = await createRunningRaffle();
    await database.query(
      "update raffles set status = 'paused', status_reason = 'twitch_needs_reauth' where guild_id = $1",
      [scene.guildId],
    );
    expectPublicReply(
      await runCommand(scene, "raffle", "stop"),
      "The raffle is stopped. 0 winners were drawn in this server so far.",
    );
    expect((await readRaffles(database, scene.guildId))[0]).toMatchObject({
      status: "stopped",
      status_reason: "stopped_by_user",
    });
  });

  it("says no raffle is running when there is none, also after it was stopped", async () => {
    const scene = createScene();
    expectEphemeralReply(
      await runCommand(scene, "raffle", "stop"),
      "No raffle is running. Start one with `/raffle start`.",
    );
    const running = await createRunningRaffle();
    await runCommand(running.scene, "raffle", "stop");
    expectEphemeralReply(await runCommand(running.scene, "raffle", "stop"), message("raffleNoneActive"));
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const { scene } = await createRunningRaffle({ locale: "pt-BR" });
    expectPublicReply(
      await runCommand(scene, "raffle", "stop"),
      "O sorteio foi encerrado. 0 ganhadores foram sorteados neste servidor até agora.",
    );
    expectEphemeralReply(
      await runCommand(scene, "raffle", "stop"),
      "Nenhum sorteio em andamento. Comece um com `/sorteio iniciar`.",
    );
  });
});

describe("/raffle status", () => {
  it("says no raffle is running when there is none", async () => {
    expectEphemeralReply(await runCommand(createScene(), "raffle", "status"), message("raffleNoneActive"));
  });

  it("shows state, channel, Twitch channel, schedule, next draw, draws and loot left", async () => {
    const { scene, streamer } = await createLinkedScene();
    await runCommand(scene, "loot", "import", { items: "Potion:2x3, Gem:1x2, Gone:5x1" });
    await database.query("update loot_items set stock = 0 where guild_id = $1 and name = 'Gone'", [scene.guildId]);
    await runCommand(scene, "raffle", "start", { every: 5, cooldown: 10 });
    const result = await runCommand(scene, "raffle", "status");
    expect(result.body.data?.flags).toBe(64);
    const embed = readEmbed(result);
    expect(embed.title).toBe("🎟️ Raffle");
    expect(embed.fields).toEqual([
      { name: "State", value: "▶️ running", inline: true },
      { name: "Announced in", value: `<#${scene.channelId}>`, inline: true },
      { name: "Twitch channel", value: `\`${streamer.login}\``, inline: true },
      { name: "Schedule", value: "every 5 min, cooldown 10 min", inline: true },
      { name: "Stream", value: message("streamNotChecked"), inline: true },
      { name: "Next draw", value: expect.stringMatching(/^<t:\d+:R>, if the stream is live$/), inline: true },
      { name: "Draws", value: "0", inline: true },
      { name: "Chatters last seen", value: "—", inline: true },
      { name: "Loot left", value: "2 items, stock 5", inline: true },
      { name: "Who may win", value: "none, everyone in chat may win", inline: false },
      { name: "Odds", value: "Every eligible viewer has the same chance.", inline: false },
    ]);
    // A slot that is already due is drawn by the next tick: never shown as "2 minutes ago".
    const nextDraw = embed.fields?.find((field) => field.name === "Next draw")?.value ?? "";
    const shownSeconds = Number(/<t:(\d+):R>/.exec(nextDraw)?.[1]);
    expect(shownSeconds * 1000).toBeGreaterThan(Math.floor(Date.now() / 60_000) * 60_000);
  });

  it("shows the next slot as a Discord timestamp while the stream is live, and counts draws", async () => {
    const { scene } = await createRunningRaffle({ items: "Sword:1, Potion:1x4" });
    await drawNow(scene);
    // A slot far ahead keeps ticks that other test files run from drawing for this raffle.
    const nextSlot = Date.UTC(2100, 0, 1, 12, 0);
    await database.query("update raffles set next_slot_at = $2 where guild_id = $1", [
      scene.guildId,
      new Date(nextSlot),
    ]);
    await database.query(
      `insert into twitch_channel_liveness (broadcaster_id, is_live, observed_at, source)
       select twitch_broadcaster_id, true, now(), 'get_streams' from raffles where guild_id = $1
       on conflict (broadcaster_id) do update set is_live = true, observed_at = now()`,
      [scene.guildId],
    );
    const fields = readEmbed(await runCommand(scene, "raffle", "status")).fields ?? [];
    const field = (name: string) => fields.find((entry) => entry.name === name)?.value;
    expect(field("Next draw")).toBe(`<t:${nextSlot / 1000}:R>`);
    expect(field("Draws")).toBe("1");
    expect(field("Loot left")).toBe("2 items, stock unlimited");
  });

  it.each([
    ["twitch_needs_reauth", "⏸️ paused: the Twitch link expired; run `/twitch connect`"],
    ["channel_unavailable", "⏸️ paused: I cannot post in the announcement channel; check my permissions"],
    [
      "chatters_forbidden",
      "⏸️ paused: Twitch refused the viewer list (the linked account must be the broadcaster or a moderator); run `/twitch connect`",
    ],
  ])("shows why a raffle is paused (%s)", async (reason, state) => {
    const { scene } = await createRunningRaffle();
    await database.query("update raffles set status = 'paused', status_reason = $2 where guild_id = $1", [
      scene.guildId,
      reason,
    ]);
    const fields = readEmbed(await runCommand(scene, "raffle", "status")).fields ?? [];
    expect(fields.find((entry) => entry.name === "State")?.value).toBe(state);
    expect(fields.find((entry) => entry.name === "Next draw")?.value).toBe("—");
  });

  it("resumes a raffle paused for an expired link once Twitch is linked again", async () => {
    const { scene, streamer } = await createRunningRaffle();
    await database.query(
      "update raffles set status = 'paused', status_reason = 'twitch_needs_reauth' where guild_id = $1",
      [scene.guildId],
    );
    await database.query("update twitch_links set status = 'needs_reauth' where guild_id = $1", [scene.guildId]);
    await linkTwitch(scene, streamer);
    const fields = readEmbed(await runCommand(scene, "raffle", "status")).fields ?? [];
    expect(fields.find((entry) => entry.name === "State")?.value).toBe("▶️ running");
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const { scene } = await createRunningRaffle({ locale: "pt-BR", items: "Espada:1" });
    const embed = readEmbed(await runCommand(scene, "raffle", "status"));
    expect(embed.title).toBe("🎟️ Sorteio");
    expect(embed.fields?.[0]).toEqual({ name: "Estado", value: "▶️ em andamento", inline: true });
    expect(embed.fields?.[3]).toEqual({ name: "Agenda", value: "a cada 1 min, espera de 0 min", inline: true });
    expect(embed.fields?.[8]).toEqual({ name: "Prêmios restantes", value: "1 item, estoque ilimitado", inline: true });
  });
});

describe("/raffle draw", () => {
  it("says no raffle is running, without deferring, when there is none", async () => {
    const scene = createScene();
    const { result, reply } = await drawNow(scene);
    expectEphemeralReply(result, message("raffleNoneActive"));
    expect(reply).toBeNull();
  });

  it("defers, then names the winner and item, announces once in the channel and records a manual draw", async () => {
    const { scene, streamer, viewer } = await createRunningRaffle({ items: "Golden *Crown*:1" });
    const { result, reply } = await drawNow(scene);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(reply?.content).toBe("🎉 **Real\\_Viewer** won **Golden \\*Crown\\***!");

    const draws = await readDraws(database, scene.guildId);
    expect(draws).toEqual([
      expect.objectContaining({
        kind: "manual",
        item_name: "Golden *Crown*",
        winner_twitch_user_id: viewer.id,
        winner_twitch_login: viewer.login,
        winner_twitch_display_name: "Real_Viewer",
        announcement_status: "delivered",
        candidate_count: 1,
      }),
    ]);

    const messages = await discordControl().listMessages(scene.channelId);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.id).toBe(draws[0]?.announcement_message_id);
    expect(messages[0]?.embeds).toEqual([
      expect.objectContaining({
        title: "🎉 We have a winner!",
        description: "**Real\\_Viewer** won **Golden \\*Crown\\***!",
        url: `https://www.twitch.tv/${viewer.login}`,
        footer: expect.objectContaining({ text: "Draw #1" }),
      }),
    ]);
    // A liveloot/v1 draw links to its proof on the raffle's public page; the beacon answered, so
    // the embed says nothing about it being unverifiable.
    const [proof] = await database.query<{ public_id: string; algorithm: string | null; beacon_round: string | null }>(
      "select r.public_id, d.algorithm, d.beacon_round::text from draws d join raffles r on r.id = d.raffle_id where d.guild_id = $1",
      [scene.guildId],
    );
    expect(proof).toMatchObject({ algorithm: "liveloot/v1", beacon_round: expect.stringMatching(/^\d+$/) });
    expect(messages[0]?.components).toEqual([
      {
        type: 1,
        components: [
          {
            type: 2,
            style: 5,
            label: "Verify this draw",
            url: `${testCredentials.publicBaseUrl}/r/${proof?.public_id}#draw-1`,
          },
        ],
      },
    ]);
    expect(JSON.stringify(messages[0]?.embeds)).not.toContain("Not publicly verifiable");
    const [raffle] = await readRaffles(database, scene.guildId);
    expect(raffle?.draw_count).toBe(1);
    expect(raffle?.twitch_broadcaster_id).toBe(streamer.id);
  });

  it("never lets a bot, the broadcaster or an excluded viewer win", async () => {
    const viewer = createChatter("viewer", "Lucky");
    const lurker = createChatter("lurker");
    const { scene, streamer } = await createRunningRaffle({ cooldown: 0 });
    const chatters = [
      { id: "9000000001", login: "nightbot", displayName: "Nightbot" },
      { id: "9000000002", login: "streamelements", displayName: "StreamElements" },
      { id: "9000000003", login: "moobot", displayName: "Moobot" },
      { id: streamer.id, login: streamer.login, displayName: streamer.displayName },
      { id: lurker.id, login: lurker.login, displayName: "Lurker" },
      viewer,
    ];
    await twitchControl().setChatters(streamer.id, { chatters });
    expectEphemeralReply(
      await runCommand(scene, "raffle", "exclude", { user: `@${lurker.login.toUpperCase()}` }),
      `\`${lurker.login}\` can no longer win in this server.`,
    );
    for (let round = 0; round < 4; round += 1) {
      const { reply } = await drawNow(scene);
      expect(reply?.content).toBe("🎉 **Lucky** won **Sword**!");
    }
    const draws = await readDraws(database, scene.guildId);
    expect(draws.map((draw) => draw.winner_twitch_login)).toEqual([
      viewer.login,
      viewer.login,
      viewer.login,
      viewer.login,
    ]);
  });

  it("lets an included viewer win again", async () => {
    const viewer = createChatter("viewer", "Comeback");
    const { scene } = await createRunningRaffle({ chatters: [viewer] });
    await runCommand(scene, "raffle", "exclude", { user: viewer.login });
    expect((await drawNow(scene)).reply?.content).toBe(message("raffleNoEligible"));
    await runCommand(scene, "raffle", "include", { user: viewer.login });
    expect((await drawNow(scene)).reply?.content).toBe("🎉 **Comeback** won **Sword**!");
    expect((await readDraws(database, scene.guildId)).map((draw) => draw.winner_twitch_user_id)).toEqual([viewer.id]);
  });

  it("says nobody in chat can win when only bots and the broadcaster are there, recording and posting nothing", async () => {
    const { scene, streamer } = await createRunningRaffle();
    await twitchControl().setChatters(streamer.id, {
      chatters: [
        { id: "9000000001", login: "nightbot" },
        { id: "9000000004", login: "fossabot" },
        { id: streamer.id, login: streamer.login },
      ],
    });
    const { result, reply } = await drawNow(scene);
    expect(result.body.type).toBe(5);
    expect(reply?.content).toBe(
      "Nobody in chat can win right now (everyone is a bot, excluded or on cooldown), so nothing was drawn.",
    );
    expect(await readDraws(database, scene.guildId)).toEqual([]);
    expect(await discordControl().listMessages(scene.channelId)).toEqual([]);
    expect((await readRaffles(database, scene.guildId))[0]).toMatchObject({ status: "running", draw_count: 0 });
  });

  it("says nobody can win when the chat is empty", async () => {
    const { scene, streamer } = await createRunningRaffle();
    await twitchControl().setChatters(streamer.id, { chatters: [] });
    expect((await drawNow(scene)).reply?.content).toBe(message("raffleNoEligible"));
    expect(await readDraws(database, scene.guildId)).toEqual([]);
  });

  it("keeps a winner out for the cooldown", async () => {
    const first = createChatter("first", "First");
    const second = createChatter("second", "Second");
    const { scene } = await createRunningRaffle({ cooldown: 30, chatters: [first, second] });
    await drawNow(scene);
    await drawNow(scene);
    const third = await drawNow(scene);
    expect(third.reply?.content).toBe(message("raffleNoEligible"));
    const winners = (await readDraws(database, scene.guildId)).map((draw) => draw.winner_twitch_login);
    expect(winners.sort()).toEqual([first.login, second.login].sort());
  });

  it("never draws an item that is out of stock", async () => {
    const { scene } = await createRunningRaffle({ items: "Gone:1000000x1, Sword:1" });
    await database.query("update loot_items set stock = 0 where guild_id = $1 and name = 'Gone'", [scene.guildId]);
    for (let round = 0; round < 3; round += 1) {
      expect((await drawNow(scene)).reply?.content).toBe("🎉 **Real\\_Viewer** won **Sword**!");
    }
  });

  it("takes stock, and when the loot runs out stops the raffle with no_items and says so", async () => {
    const { scene } = await createRunningRaffle({ items: "Potion:1x1" });
    const first = await drawNow(scene);
    expect(first.reply?.content).toBe("🎉 **Real\\_Viewer** won **Potion**!");
    expect((await readItems(database, scene.guildId))[0]?.stock).toBe(0);

    const second = await drawNow(scene);
    expect(second.result.body.type).toBe(5);
    expect(second.reply?.content).toBe("The loot ran out, so the raffle is stopped. Add items and start it again.");
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({ status: "stopped", status_reason: "no_items", draw_count: 1 }),
    ]);
    expect(await readDraws(database, scene.guildId)).toHaveLength(1);
    expect((await readItems(database, scene.guildId))[0]?.stock).toBe(0);
    expectEphemeralReply(await runCommand(scene, "raffle", "draw"), message("raffleNoneActive"));
  });

  // SPEC "The draw": "No item left: the raffle stops and says so in its channel." The tick does
  // (makeDraw → stopForEmptyLoot); /raffle draw only tells the person who ran it.
  it("tells the raffle's channel when /raffle draw finds the loot gone", async () => {
    const { scene, streamer } = await createLinkedScene();
    const announcements = createSnowflake();
    await discordControl().createChannel({ id: announcements, guildId: scene.guildId });
    await runCommand(scene, "loot", "add", { name: "Potion", weight: 1, stock: 1 });
    await runCommand(scene, "raffle", "start", { channel: announcements, cooldown: 0 });
    await twitchControl().setChatters(streamer.id, { chatters: [createChatter()] });
    await drawNow(scene);
    expect((await drawNow(scene)).reply?.content).toBe(message("raffleOutOfItems"));
    const posted = await discordControl().listMessages(announcements);
    expect(posted.map((entry) => entry.content)).toContain(message("raffleOutOfItems"));
  });

  // The raffle row keeps the first account as its broadcaster; /raffle draw reads the chat of the
  // account linked now, and record_draw only skips the raffle's (old) broadcaster.
  it("never lets the broadcaster win after the server is re-linked to another Twitch account", async () => {
    const { scene } = await createRunningRaffle();
    const newAccount = await createTwitchUser("other");
    await linkTwitch(scene, newAccount);
    await twitchControl().setChatters(newAccount.id, {
      chatters: [{ id: newAccount.id, login: newAccount.login, displayName: "NewStreamer" }],
    });
    const { reply } = await drawNow(scene);
    expect(reply?.content).not.toBe("🎉 **NewStreamer** won **Sword**!");
    expect(await readDraws(database, scene.guildId)).toEqual([]);
  });

  it("draws from a large chat read across several pages of Get Chatters", async () => {
    const { scene, streamer } = await createRunningRaffle();
    await twitchControl().setChatters(streamer.id, { count: 2500, loginPrefix: "crowd_" });
    const since = await twitchControl().readLastSequence();
    const { reply } = await drawNow(scene);
    expect(reply?.content).toMatch(/^🎉 \*\*crowd\\_\d{5}\*\* won \*\*Sword\*\*!$/);
    const calls = await twitchControl().listCalls({ since, pathPrefix: "/helix/chat/chatters", contains: streamer.id });
    expect(calls).toHaveLength(3);
    const [drawn] = await readDraws(database, scene.guildId);
    expect(drawn?.winner_twitch_login).toMatch(/^crowd_\d{5}$/);
    expect(drawn?.candidate_count).toBe(500);
  });

  it("asks to try again when Twitch does not answer, recording nothing", async () => {
    const { scene, streamer } = await createRunningRaffle();
    const failure = await twitchControl().injectFailure({
      method: "GET",
      path: "/helix/chat/chatters",
      contains: streamer.id,
      status: 503,
      times: 5,
    });
    const { result, reply } = await drawNow(scene);
    // Left-over uses of the rule (if the Worker stopped after one call) would only match this streamer.
    await twitchControl()
      .removeFailure(failure.id)
      .catch(() => {});
    expect(result.body.type).toBe(5);
    expect(reply?.content).toBe(message("tryAgainLater"));
    expect(await readDraws(database, scene.guildId)).toEqual([]);
  });

  // A channel closed to the bot (403): the draw is kept and waits for the channel (it is held and
  // probed by the tick, issue 21), and the raffle pauses until a post goes through. The reply and
  // /raffle status say what to fix.
  it("keeps the draw and pauses the raffle when the announcement channel is forbidden", async () => {
    const { scene } = await createLinkedScene();
    const hidden = createSnowflake();
    await discordControl().createChannel({ id: hidden, guildId: scene.guildId, forbidden: true });
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    await runCommand(scene, "raffle", "start", { channel: hidden, cooldown: 0 });
    const viewer = createChatter("viewer", "Patient");
    const [raffle] = await readRaffles(database, scene.guildId);
    await twitchControl().setChatters(raffle?.twitch_broadcaster_id ?? "", { chatters: [viewer] });

    const { reply } = await drawNow(scene);
    expect(reply?.content).toBe(`🎉 **Patient** won **Sword**!\n${message("raffleAnnouncementChannelUnavailable")}`);
    expect(await readDraws(database, scene.guildId)).toEqual([
      expect.objectContaining({ winner_twitch_login: viewer.login, announcement_status: "pending" }),
    ]);
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({ status: "paused", status_reason: "channel_unavailable" }),
    ]);
    const fields = readEmbed(await runCommand(scene, "raffle", "status")).fields ?? [];
    const state = fields.find((entry) => entry.name === "State")?.value ?? "";
    expect(state.split("\n")[0]).toBe("⏸️ paused: I cannot post in the announcement channel; check my permissions");
    expect(state).toContain(`Give me View Channel, Send Messages and Embed Links in <#${hidden}>. I try again <t:`);
    expect(fields.find((entry) => entry.name === "Announcements")?.value).toBe(
      "1 waiting to be posted, 0 could not be posted",
    );
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const { scene } = await createRunningRaffle({ locale: "pt-BR", items: "Espada:1" });
    const { reply } = await drawNow(scene);
    expect(reply?.content).toBe("🎉 **Real\\_Viewer** ganhou **Espada**!");
    expect(await discordControl().listMessages(scene.channelId)).toHaveLength(1);
  });

  it("asks to relink, drawing nothing, when the Twitch link has expired", async () => {
    const { scene } = await createRunningRaffle();
    await database.query("update twitch_links set status = 'needs_reauth' where guild_id = $1", [scene.guildId]);
    const { result, reply } = await drawNow(scene);
    expect(result.body.type).toBe(5);
    expect(reply?.content).toBe(message("twitchNeedsReauthReply"));
    expect(await readDraws(database, scene.guildId)).toEqual([]);
  });
});

describe("/raffle history", () => {
  const minute = 60_000;
  const start = Date.UTC(2030, 0, 1, 20, 0);
  const line = (index: number, delivered = true) =>
    `<t:${Math.floor((start + index * minute) / 1000)}:f> — **Winner ${index}** won **Item ${index}**${delivered ? "" : " ⏳"}`;

  async function seed(guildId: string, count: number) {
    await insertDraws(
      database,
      guildId,
      Array.from({ length: count }, (_, offset) => ({
        slotAt: new Date(start + (offset + 1) * minute),
        itemName: `Item ${offset + 1}`,
        winnerName: `Winner ${offset + 1}`,
        delivered: offset + 1 !== 20,
      })),
    );
  }

  it("says there are no winners yet", async () => {
    const result = await runCommand(createScene(), "raffle", "history");
    expect(result.body.data?.flags).toBe(64);
    expect(readEmbed(result)).toMatchObject({ title: "📜 Past winners", description: "No winners yet." });
  });

  it("lists draws newest first, ten to a page, marking ones not yet announced", async () => {
    const scene = createScene();
    await seed(scene.guildId, 23);

    const first = readEmbed(await runCommand(scene, "raffle", "history"));
    expect(first.title).toBe("📜 Past winners");
    expect(first.description?.split("\n")).toEqual([
      line(23),
      line(22),
      line(21),
      line(20, false),
      line(19),
      line(18),
      line(17),
      line(16),
      line(15),
      line(14),
    ]);
    expect(first.footer?.text).toBe("Page 1 of 3 · 23 draws");

    const second = readEmbed(await runCommand(scene, "raffle", "history", { page: 2 }));
    expect(second.description?.split("\n")).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4].map((index) => line(index)));
    expect(second.footer?.text).toBe("Page 2 of 3 · 23 draws");

    const last = readEmbed(await runCommand(scene, "raffle", "history", { page: 3 }));
    expect(last.description?.split("\n")).toEqual([line(3), line(2), line(1)]);
    expect(last.footer?.text).toBe("Page 3 of 3 · 23 draws");
  });

  it("says how many pages there are for a page beyond the end, and refuses page 0", async () => {
    const scene = createScene();
    await seed(scene.guildId, 11);
    expectEphemeralReply(
      await runCommand(scene, "raffle", "history", { page: 3 }),
      "There are only 2 pages of history.",
    );
    expectEphemeralReply(
      await runCommand(scene, "raffle", "history", { page: 0 }),
      "`page` must be a whole number from 1 to 10,000.",
    );
    expectEphemeralReply(await runCommand(scene, "raffle", "history", { page: -2 }), message("rafflePageInvalid"));
  });

  it("shows real draws of the current raffle newest first", async () => {
    const first = createChatter("first", "First");
    const { scene, streamer } = await createRunningRaffle({ chatters: [first] });
    await drawNow(scene);
    const second = createChatter("second", "Second");
    await twitchControl().setChatters(streamer.id, { chatters: [second] });
    await drawNow(scene);
    const embed = readEmbed(await runCommand(scene, "raffle", "history"));
    const lines = embed.description?.split("\n") ?? [];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^<t:\d+:f> — \*\*Second\*\* won \*\*Sword\*\*$/);
    expect(lines[1]).toMatch(/^<t:\d+:f> — \*\*First\*\* won \*\*Sword\*\*$/);
    expect(embed.footer?.text).toBe("Page 1 of 1 · 2 draws");
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const scene = createScene({ locale: "pt-BR" });
    expect(readEmbed(await runCommand(scene, "raffle", "history")).description).toBe("Nenhum ganhador ainda.");
    await seed(scene.guildId, 1);
    const embed = readEmbed(await runCommand(scene, "raffle", "history"));
    expect(embed.description).toBe(`<t:${Math.floor((start + minute) / 1000)}:f> — **Winner 1** ganhou **Item 1**`);
    expect(embed.footer?.text).toBe("Página 1 de 1 · 1 sorteios");
  });
});

describe("/raffle exclude and /raffle include", () => {
  it("normalises `@SomeUser` to `someuser`, stores who excluded them, and says when already excluded", async () => {
    const scene = createScene();
    expectEphemeralReply(
      await runCommand(scene, "raffle", "exclude", { user: "  @SomeUser " }),
      "`someuser` can no longer win in this server.",
    );
    expect(await readExclusions(scene.guildId)).toEqual([
      { twitch_login: "someuser", excluded_by_discord_user_id: scene.userId },
    ]);
    expectEphemeralReply(
      await runCommand(scene, "raffle", "exclude", { user: "someuser" }),
      "`someuser` was already excluded.",
    );
    expect(await readExclusions(scene.guildId)).toHaveLength(1);
  });

  it("includes an excluded viewer again, and says when someone was not excluded", async () => {
    const scene = createScene();
    await runCommand(scene, "raffle", "exclude", { user: "some_user_1" });
    expectEphemeralReply(
      await runCommand(scene, "raffle", "include", { user: "@Some_User_1" }),
      "`some_user_1` can win again.",
    );
    expect(await readExclusions(scene.guildId)).toEqual([]);
    expectEphemeralReply(
      await runCommand(scene, "raffle", "include", { user: "some_user_1" }),
      "`some_user_1` was not excluded.",
    );
    expectEphemeralReply(
      await runCommand(createScene(), "raffle", "include", { user: "nobody" }),
      message("raffleNotExcluded", { login: "nobody" }),
    );
  });

  it("keeps exclusions per server", async () => {
    const first = createScene();
    const second = createScene();
    await runCommand(first, "raffle", "exclude", { user: "shared_viewer" });
    expectEphemeralReply(
      await runCommand(second, "raffle", "include", { user: "shared_viewer" }),
      "`shared_viewer` was not excluded.",
    );
    expect(await readExclusions(first.guildId)).toHaveLength(1);
  });

  it.each([
    ["a login with spaces", "not a login"],
    ["a login with a dash", "bad-name"],
    ["a login longer than 25 characters", "a".repeat(26)],
    ["only an @", "@"],
    ["an empty login", ""],
    ["a URL", "https://twitch.tv/someone"],
  ])("refuses %s with the invalid-login message, storing nothing", async (_label, user) => {
    const scene = createScene();
    expectEphemeralReply(
      await runCommand(scene, "raffle", "exclude", { user }),
      "That is not a Twitch login (1 to 25 letters, digits or underscores).",
    );
    expectEphemeralReply(await runCommand(scene, "raffle", "include", { user }), message("raffleUserInvalid"));
    expect(await readExclusions(scene.guildId)).toEqual([]);
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const scene = createScene({ locale: "pt-BR" });
    expectEphemeralReply(
      await runCommand(scene, "raffle", "exclude", { user: "@Fulano" }),
      "`fulano` não pode mais ganhar neste servidor.",
    );
    expectEphemeralReply(
      await runCommand(scene, "raffle", "exclude", { user: "fu lano" }),
      "Isso não é um login da Twitch (1 a 25 letras, números ou sublinhados).",
    );
    expectEphemeralReply(
      await runCommand(scene, "raffle", "include", { user: "fulano" }),
      "`fulano` pode ganhar de novo.",
    );
  });
});
