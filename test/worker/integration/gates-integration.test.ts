import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import worker from "../../../worker/index";
import { requestedTwitchScopes } from "../../../worker/twitch/scopes";
import { testEnvironment } from "../../support/worker/callWorker";
import { deliverEventSub, type EventSubSubscriptionShape } from "../../support/worker/eventSub";
import {
  completeTwitchLink,
  createTwitchUser,
  discordControl,
  extractButtonUrl,
  linkTwitch,
  openLinkPage,
  readEditedReply,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, runOwnTick, useTickDatabase } from "../../support/worker/ownDatabase";

// The gates of /raffle start (docs/contract.md): followers (for a while), subscribers, account age and
// "chatted recently", checked against the Twitch fake's Helix answers (100-id batches, one
// follower per call, 429 with Ratelimit-Reset, injected 5xx) and signed EventSub messages sent to
// the Worker as Twitch sends them. The published entrants are the chat after the gates.
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = useTickDatabase(bindings);

const minute = 60_000;
const day = 1440 * minute;
const chatScopes = ["user:read:chat", "user:bot", "channel:bot"];

interface Viewer {
  id: string;
  login: string;
  displayName: string;
}

/** A linked, live streamer with loot, and viewers in chat (10-digit ids, as Twitch's today). */
async function setUpChannel(viewerCount: number, scopes: string[] = [...requestedTwitchScopes]) {
  const scene: InteractionScene = createScene();
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings, scopes });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  const imported = await runCommand(scene, "loot", "import", { items: "Sword:10, Crown:1" }, { bindings });
  expect(imported.body.data?.content).toMatch(/^Imported/);
  const viewers: Viewer[] = [];
  for (let index = 0; index < viewerCount; index += 1) viewers.push(await createTwitchUser(`viewer${index}`));
  const bot = { id: "19264788", login: "nightbot", displayName: "Nightbot" };
  await twitchControl().setChatters(streamer.id, { chatters: [...viewers, bot, streamer] });
  for (const viewer of viewers)
    await twitchControl().setUserCreatedAt(viewer.id, new Date(Date.now() - 400 * day).toISOString());
  await twitchControl().setLive(streamer.id);
  return { scene, streamer, viewers };
}

/** A viewer says something in chat: the signed `channel.chat.message` Twitch would send the Worker. */
async function chat(streamer: Viewer, viewer: Viewer): Promise<void> {
  const response = await deliverEventSub(
    "notification",
    {
      id: crypto.randomUUID(),
      type: "channel.chat.message",
      version: "1",
      status: "enabled",
      condition: { broadcaster_user_id: streamer.id, user_id: streamer.id },
    },
    {
      bindings,
      event: {
        broadcaster_user_id: streamer.id,
        broadcaster_user_login: streamer.login,
        broadcaster_user_name: streamer.displayName,
        chatter_user_id: viewer.id,
        chatter_user_login: viewer.login,
        chatter_user_name: viewer.displayName,
        message_id: crypto.randomUUID(),
        message: { text: "hi", fragments: [{ type: "text", text: "hi" }] },
        message_type: "text",
        badges: [],
        color: "",
      },
    },
  );
  expect(response.status).toBe(204);
}

/** The channel's `channel.chat.message` subscription at the Twitch fake, read as the broadcaster. */
async function findChatSubscription(broadcasterId: string) {
  return (await twitchControl().listEventSubSubscriptions()).find(
    (subscription) =>
      subscription.type === "channel.chat.message" &&
      subscription.condition.broadcaster_user_id === broadcasterId &&
      subscription.condition.user_id === broadcasterId,
  );
}

async function readDraws(guildId: string) {
  return database.query<{ winner_twitch_user_id: string; entrants: [string, string, number][] }>(
    "select winner_twitch_user_id, entrants from draws where guild_id = $1 order by id",
    [guildId],
  );
}

async function readStatusText(scene: InteractionScene): Promise<string> {
  const status = await runCommand(scene, "raffle", "status", {}, { bindings });
  const embed = status.body.data?.embeds?.[0] as { fields?: { name: string; value: string }[] } | undefined;
  return (embed?.fields ?? []).map((field) => `${field.name}: ${field.value}`).join("\n");
}

describe("raffle gates", () => {
  it("with every gate on, only the viewer who meets all of them is an entrant and wins", async () => {
    const { scene, streamer, viewers } = await setUpChannel(6);
    const [all, newFollower, notSubscribed, newAccount, silent, notFollowing] = viewers as [
      Viewer,
      Viewer,
      Viewer,
      Viewer,
      Viewer,
      Viewer,
    ];
    const now = Date.now();
    // The link predates the chat gate: /raffle start names the scopes and offers a re-link.
    const gates = {
      followers_only: true,
      min_follow_minutes: 10_080,
      subscribers_only: true,
      min_account_days: 30,
      active_minutes: 10,
      cooldown: 0,
    };
    const refused = await runCommand(scene, "raffle", "start", gates, { bindings });
    expect(refused.body.data?.content).toContain("`user:read:chat`, `user:bot`, `channel:bot`");
    expect(refused.body.data?.content).toContain("viewers who chatted in the last 10 minutes");
    expect(extractButtonUrl(refused.body).pathname).toMatch(/^\/twitch\/link\/[A-Za-z0-9_-]+$/);
    const relinked = await completeTwitchLink(refused.body, streamer, { bindings });
    for (const scope of chatScopes)
      expect(relinked.authorizeUrl.searchParams.get("scope")?.split(" ")).toContain(scope);
    expect(relinked.callback.status).toBe(200);
    // No raffle uses the chat gate yet: no chat subscription (each message would cost a request).
    expect(await findChatSubscription(streamer.id)).toBeUndefined();

    const started = await runCommand(scene, "raffle", "start", gates, { bindings });
    expect(started.body.data?.content).toMatch(/^🎁/);
    expect(started.body.data?.content).toContain("followers for at least 7 days");
    // Starting it subscribes to the channel's chat messages, read as the broadcaster.
    const chatSubscription = await findChatSubscription(streamer.id);
    expect(chatSubscription).toBeDefined();
    const base = Math.floor(now / minute) * minute;

    // Twitch has not verified the chat subscription yet: the slot is skipped, and status says why.
    await runOwnTick(base);
    expect(await readDraws(scene.guildId)).toHaveLength(0);
    expect(await readStatusText(scene)).toContain("Twitch is not sending this channel's chat messages yet");
    const challenge = await deliverEventSub(
      "webhook_callback_verification",
      { ...(chatSubscription as EventSubSubscriptionShape), status: "webhook_callback_verification_pending" },
      { bindings, challenge: "chat-challenge-1" },
    );
    expect(await challenge.text()).toBe("chat-challenge-1");

    const followedLongAgo = new Date(now - 30 * day).toISOString();
    for (const viewer of [all, notSubscribed, newAccount, silent])
      await twitchControl().setFollow(streamer.id, viewer.id, followedLongAgo);
    await twitchControl().setFollow(streamer.id, newFollower.id, new Date(now - day).toISOString());
    for (const viewer of [all, newFollower, newAccount, silent, notFollowing])
      await twitchControl().setSubscription(streamer.id, { userId: viewer.id });
    await twitchControl().setUserCreatedAt(newAccount.id, new Date(now - 5 * day).toISOString());
    for (const viewer of [all, newFollower, notSubscribed, newAccount, notFollowing]) await chat(streamer, viewer);

    for (let slot = 1; slot <= 3; slot += 1) await runOwnTick(base + slot * minute);
    const draws = await readDraws(scene.guildId);
    // The first, cold slot may leave a viewer unchecked (4 lookups a slot); by the third every fact is known.
    expect(draws.length).toBeGreaterThanOrEqual(2);
    for (const draw of draws) {
      expect(draw.winner_twitch_user_id).toBe(all.id);
      expect(draw.entrants.map(([id]) => id)).toEqual([all.id]);
    }
    // Account ages and subscriptions were asked in 100-id batches, follows one viewer per call.
    const calls = await twitchControl().listCalls({ contains: streamer.id });
    const followerCalls = calls.filter((call) => call.path === "/helix/channels/followers");
    expect(followerCalls.length).toBeGreaterThan(0);
    expect(followerCalls.length).toBeLessThanOrEqual(3);
    const status = await readStatusText(scene);
    expect(status).toContain(
      "Who may win: viewers who chatted in the last 10 minutes; accounts at least 30 days old; subscribers; followers for at least 7 days",
    );
    // Re-linking while the chat gate is in use asks for its scopes again, so the gate keeps working.
    const connect = await runCommand(scene, "twitch", "connect", {}, { bindings });
    const { authorizeUrl } = await openLinkPage(connect.body, { bindings });
    for (const scope of chatScopes) expect(authorizeUrl.searchParams.get("scope")?.split(" ")).toContain(scope);
    await runCommand(scene, "raffle", "stop", {}, { bindings });
    // Stopped: nothing needs the chat messages any more, so the subscription goes at once.
    expect(await findChatSubscription(streamer.id)).toBeUndefined();
    const plain = await openLinkPage((await runCommand(scene, "twitch", "connect", {}, { bindings })).body, {
      bindings,
    });
    expect(plain.authorizeUrl.searchParams.get("scope")?.split(" ")).not.toContain("user:read:chat");
  });

  it("a gate that empties the chat is named in /raffle status and the public page lists the gates", async () => {
    const { scene, streamer, viewers } = await setUpChannel(3);
    const started = await runCommand(scene, "raffle", "start", { min_follow_minutes: 10_080 }, { bindings });
    expect(started.body.data?.content).toMatch(/^🎁/);
    // One follows since yesterday, the others not at all: 3 in chat (plus a bot), 0 followers for 7 days.
    await twitchControl().setFollow(streamer.id, viewers[0]?.id ?? "", new Date(Date.now() - day).toISOString());
    const base = Math.floor(Date.now() / minute) * minute;
    for (let slot = 0; slot < 5; slot += 1) await runOwnTick(base + slot * minute);
    expect(await readDraws(scene.guildId)).toHaveLength(0);
    const status = await readStatusText(scene);
    expect(status).toContain("Why no winner: 5 in chat, 0 followers for at least 7 days");
    // Five empty live minutes: the raffle's channel hears once which gate left nobody.
    const notices = (await discordControl().listMessages(scene.channelId)).filter((message) =>
      message.content?.includes("No winner for 5 minutes"),
    );
    expect(notices.map((message) => message.content)).toEqual([
      expect.stringContaining("5 in chat, 0 followers for at least 7 days"),
    ]);
    const drawn = await runCommand(scene, "raffle", "draw", {}, { bindings });
    expect((await readEditedReply(drawn.token))?.content).toBe(
      "5 in chat, 0 followers for at least 7 days, so nothing was drawn.",
    );
    const [raffle] = await database.query<{ public_id: string }>(
      "select public_id from raffles where guild_id = $1 and status = 'running'",
      [scene.guildId],
    );
    const page = await worker.fetch(
      new Request(`${testEnvironment().PUBLIC_BASE_URL}/r/${raffle?.public_id}`, { headers: { accept: "text/html" } }),
      { ...testEnvironment(), ...bindings },
      createExecutionContext(),
    );
    expect(await page.text()).toContain("Gates: only followers for at least 7 days may enter");
    const portuguese = await worker.fetch(
      new Request(`${testEnvironment().PUBLIC_BASE_URL}/r/${raffle?.public_id}`, {
        headers: { accept: "text/html", "accept-language": "pt-BR" },
      }),
      { ...testEnvironment(), ...bindings },
      createExecutionContext(),
    );
    expect(await portuguese.text()).toContain("Restrições: só seguidores há pelo menos 7 dias podem participar");
  });

  it("refuses gate values out of range with a localized message naming the limit, never a 5xx", async () => {
    const { scene } = await setUpChannel(1);
    const tooOld = await runCommand(scene, "raffle", "start", { min_account_days: 3651 }, { bindings });
    expect(tooOld.status).toBe(200);
    expect(tooOld.body.data?.content).toBe("`min_account_days` must be a whole number of days from 0 to 3650.");
    const tooLong = await runCommand(scene, "raffle", "start", { active_minutes: 61 }, { bindings });
    expect(tooLong.body.data?.content).toBe("`active_minutes` must be a whole number of minutes from 0 to 60.");
    const negative = await runCommand(scene, "raffle", "start", { min_follow_minutes: -1 }, { bindings });
    expect(negative.body.data?.content).toBe(
      "`min_follow_minutes` must be a whole number of minutes from 0 to 525,600.",
    );
    const portuguese = await runCommand(
      { ...scene, locale: "pt-BR" },
      "raffle",
      "start",
      { active_minutes: 61 },
      { bindings },
    );
    expect(portuguese.body.data?.content).toBe("`minutos_ativo` deve ser um número inteiro de minutos de 0 a 60.");
    const [raffle] = await database.query("select 1 from raffles where guild_id = $1", [scene.guildId]);
    expect(raffle).toBeUndefined();
  });

  it("a Twitch 503 or 429 on a gate's lookup skips the slot, never draws ungated, and /raffle status says so", async () => {
    const { scene, streamer, viewers } = await setUpChannel(2);
    const started = await runCommand(scene, "raffle", "start", { subscribers_only: true, cooldown: 0 }, { bindings });
    expect(started.body.data?.content).toMatch(/^🎁/);
    await twitchControl().setSubscription(streamer.id, { userId: viewers[0]?.id ?? "" });
    const base = Math.floor(Date.now() / minute) * minute;

    await twitchControl().injectFailure({ path: "/helix/subscriptions", contains: streamer.id, status: 503 });
    await runOwnTick(base);
    expect(await readDraws(scene.guildId)).toHaveLength(0);
    expect(await readStatusText(scene)).toMatch(/Skipped slot: .*check of subscribers \(503\)/);

    // Helix's 429 with a Ratelimit-Reset too far off to wait for within the tick.
    await twitchControl().injectFailure({
      path: "/helix/subscriptions",
      contains: streamer.id,
      status: 429,
      retryAfterSeconds: 30,
    });
    await runOwnTick(base + minute);
    expect(await readDraws(scene.guildId)).toHaveLength(0);
    expect(await readStatusText(scene)).toMatch(/check of subscribers \(429\)/);

    // Twitch answers again: the subscriber wins, and the skipped-slot line is gone.
    await runOwnTick(base + 2 * minute);
    const draws = await readDraws(scene.guildId);
    expect(draws.map((draw) => draw.winner_twitch_user_id)).toEqual([viewers[0]?.id]);
    expect(await readStatusText(scene)).not.toContain("Skipped slot");
  });

  it("a follow pushed by EventSub lets the new follower pass without a lookup", async () => {
    const { scene, streamer, viewers } = await setUpChannel(1);
    const [viewer] = viewers as [Viewer];
    const started = await runCommand(scene, "raffle", "start", { followers_only: true }, { bindings });
    expect(started.body.data?.content).toMatch(/^🎁/);
    const followedAt = new Date().toISOString();
    const response = await deliverEventSub(
      "notification",
      {
        id: crypto.randomUUID(),
        type: "channel.follow",
        version: "2",
        status: "enabled",
        condition: { broadcaster_user_id: streamer.id, moderator_user_id: streamer.id },
      },
      {
        bindings,
        event: {
          user_id: viewer.id,
          user_login: viewer.login,
          user_name: viewer.displayName,
          broadcaster_user_id: streamer.id,
          broadcaster_user_login: streamer.login,
          broadcaster_user_name: streamer.displayName,
          followed_at: followedAt,
        },
      },
    );
    expect(response.status).toBe(204);
    await runOwnTick(Math.floor(Date.now() / minute) * minute);
    const draws = await readDraws(scene.guildId);
    expect(draws.map((draw) => draw.winner_twitch_user_id)).toEqual([viewer.id]);
    // Twitch was never asked about that viewer's follow: the pushed one was enough.
    const lookups = await twitchControl().listCalls({ contains: viewer.id });
    expect(lookups.filter((call) => call.path === "/helix/channels/followers")).toEqual([]);
  });

  it("with more unknown viewers than lookups left, a small channel's follower list is read whole in one call", async () => {
    const { scene, streamer, viewers } = await setUpChannel(6);
    const started = await runCommand(scene, "raffle", "start", { followers_only: true, cooldown: 0 }, { bindings });
    expect(started.body.data?.content).toMatch(/^🎁/);
    const followers = viewers.slice(0, 3);
    for (const viewer of followers)
      await twitchControl().setFollow(streamer.id, viewer.id, new Date(Date.now() - day).toISOString());
    await runOwnTick(Math.floor(Date.now() / minute) * minute);
    const [draw] = await readDraws(scene.guildId);
    // Every viewer is known after one slot: the three followers are the entrants, nobody sat out.
    expect(draw?.entrants.map(([id]) => id).sort()).toEqual(followers.map((viewer) => viewer.id).sort());
    const calls = (await twitchControl().listCalls({ contains: streamer.id })).filter(
      (call) => call.path === "/helix/channels/followers",
    );
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0])).not.toContain("user_id");
    // The next slot asks Twitch nothing: every answer was remembered.
    const since = await twitchControl().readLastSequence();
    await runOwnTick(Math.floor(Date.now() / minute) * minute + minute);
    const later = await twitchControl().listCalls({ since, contains: streamer.id });
    expect(later.filter((call) => call.path === "/helix/channels/followers")).toEqual([]);
    expect(await readDraws(scene.guildId)).toHaveLength(2);
  });

  it("a channel with more followers than a slot can list is asked viewer by viewer, its list read once", async () => {
    const { scene, streamer, viewers } = await setUpChannel(8);
    const started = await runCommand(scene, "raffle", "start", { followers_only: true, cooldown: 0 }, { bindings });
    expect(started.body.data?.content).toMatch(/^🎁/);
    // 450 other followers, newer than the viewers' follows: the newest page holds none of the chat.
    const crowd = Array.from({ length: 450 }, (_, index) => ({
      id: String(Number(streamer.id) + 1_000_000 + index),
      login: `crowd_${index}_${streamer.id}`.slice(0, 25),
      displayName: `Crowd${index}`,
    }));
    await twitchControl().upsertUsers(crowd);
    await twitchControl().setFollows(
      streamer.id,
      crowd.map((user) => ({ userId: user.id, followedAt: new Date(Date.now() - 60_000).toISOString() })),
    );
    await twitchControl().setFollow(streamer.id, viewers[0]?.id ?? "", new Date(Date.now() - day).toISOString());
    const base = Math.floor(Date.now() / minute) * minute;
    for (let slot = 0; slot < 4; slot += 1) await runOwnTick(base + slot * minute);
    const calls = (await twitchControl().listCalls({ contains: streamer.id })).filter(
      (call) => call.path === "/helix/channels/followers",
    );
    const listCalls = calls.filter((call) => call.query.user_id === undefined);
    // One page told the Worker the list is too long; afterwards only per-viewer lookups, 4 a slot at most.
    expect(listCalls).toHaveLength(1);
    expect(calls.length - listCalls.length).toBeLessThanOrEqual(4 * 4 - 1);
    // By the last slot every viewer is known: the one follower is the only entrant.
    const draws = await readDraws(scene.guildId);
    expect(draws.at(-1)?.entrants.map(([id]) => id)).toEqual([viewers[0]?.id]);
  });

  it("a gate whose scope the link lacks is refused at start with that scope and a re-link button", async () => {
    const { scene } = await setUpChannel(
      1,
      requestedTwitchScopes.filter((scope) => scope !== "moderator:read:followers"),
    );
    const refused = await runCommand(scene, "raffle", "start", { followers_only: true }, { bindings });
    expect(refused.body.data?.content).toContain("`moderator:read:followers`");
    expect(refused.body.data?.flags).toBe(64);
    expect(refused.body.data?.content).not.toContain("user:read:chat");
    const [raffle] = await database.query("select 1 from raffles where guild_id = $1", [scene.guildId]);
    expect(raffle).toBeUndefined();
    // Without the chat gate, the re-link asks for the usual scopes only.
    const relinkUrl = extractButtonUrl(refused.body);
    expect(relinkUrl.origin).toBe(new URL(testEnvironment().PUBLIC_BASE_URL ?? "").origin);
  });
});
