import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { TwitchControl } from "../../../devkit/fakes/twitchControl";
import type { CommandInput, ConversationEntry, PlaygroundState } from "../../../playground/playgroundApi";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import { type DevStack, startDevStack } from "../../../scripts/dev/startDevStack";
import { TestBrowser } from "../../support/TestBrowser";
import { createTestDatabase, type TestDatabase } from "../../support/testDatabase";

const streamer = devFixtures.twitchStreamer;
const [general, giveaways] = devFixtures.channels;
const user = { name: "streamer", manageServer: true, locale: "en-US" } as const;
const poll = { timeout: 15_000, interval: 200 };

/**
 * The production path through `npm run dev`'s own stack (wrangler dev, the fakes, the playground
 * API): the Worker subscribes to EventSub when Twitch is linked, the Twitch fake sends the
 * challenge and the Worker's answer enables the subscriptions, the stream goes live and the fake
 * delivers a signed stream.online, a raffle is started while live, and the next tick draws.
 */
describe("npm run dev: link Twitch, go live, /raffle start, the next tick draws (EventSub on)", () => {
  let stack: DevStack | undefined;
  let database: TestDatabase | undefined;
  let temporaryDirectory: string;
  const workerOutput: string[] = [];

  beforeAll(async () => {
    temporaryDirectory = await mkdtemp(join(tmpdir(), "liveloot-dev-eventsub-"));
    database = await createTestDatabase();
    stack = await startDevStack({
      mode: "fakes",
      workerPort: 0,
      playgroundPort: 0,
      database: { source: "existing", databaseUrl: database.url },
      redisUrl: inject("redisUrl"),
      envFile: join(temporaryDirectory, "worker.env"),
      time: "manual",
      onWorkerOutput: (line) => workerOutput.push(line),
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
    if (temporaryDirectory) await rm(temporaryDirectory, { recursive: true, force: true });
  }, 60_000);

  async function callPlayground<Result>(method: string, path: string, body?: unknown): Promise<Result> {
    const response = await fetch(`${stack?.playgroundUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as Result;
  }

  /** Runs a slash command through the playground and waits for the Worker's (possibly deferred) reply. */
  async function runCommand(input: Omit<CommandInput, "user">): Promise<ConversationEntry> {
    const sent = await callPlayground<ConversationEntry>("POST", "/api/commands", { user, ...input });
    let entry = sent;
    await expect
      .poll(async () => {
        const state = await callPlayground<PlaygroundState>("GET", "/api/state");
        entry = state.conversation.find((candidate) => candidate.id === sent.id) ?? sent;
        return entry.phase;
      }, poll)
      .toBe("answered");
    return entry;
  }

  /** The Worker's link button → its page → the fake consent page → Authorize → the Worker's callback. */
  async function linkTwitch(twitchFakeUrl: string): Promise<void> {
    const connect = await runCommand({ channelId: general.id, command: "twitch", subcommand: "connect", options: [] });
    const linkUrl = /"url":"([^"]+)"/.exec(JSON.stringify(connect.message?.components))?.[1];
    if (!linkUrl) throw new Error(`no link button in ${JSON.stringify(connect)}`);
    // One browser from the link page to the callback: the page's cookie binds the state to it.
    const streamersBrowser = new TestBrowser();
    const linkPage = await streamersBrowser.open(linkUrl);
    const authorizeUrl = linkPage.url.startsWith(`${twitchFakeUrl}/oauth2/authorize`)
      ? linkPage.url
      : new RegExp(`href="(${twitchFakeUrl}/oauth2/authorize[^"]*)"`)
          .exec(await linkPage.text())?.[1]
          ?.replaceAll("&amp;", "&");
    if (!authorizeUrl) throw new Error(`the link page ${linkUrl} leads to no Twitch consent page`);
    const query = new URL(authorizeUrl).searchParams;
    const decision = await fetch(`${twitchFakeUrl}/oauth2/authorize`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: query.get("client_id") ?? "",
        redirect_uri: query.get("redirect_uri") ?? "",
        scope: query.get("scope") ?? "",
        state: query.get("state") ?? "",
        decision: "authorize",
        user_id: streamer.id,
      }),
      redirect: "manual",
    });
    const callback = decision.headers.get("location");
    if (decision.status !== 302 || !callback) throw new Error(`the consent page answered ${decision.status}`);
    const linked = await streamersBrowser.open(callback);
    expect(linked.status, await linked.clone().text()).toBe(200);
  }

  test("the challenge enables the subscriptions, stream.online is delivered, and the next tick draws", async () => {
    if (!stack?.playgroundUrl || !stack.twitchFakeUrl || !stack.discordFakeUrl)
      throw new Error("the dev stack started no fakes");
    const twitch = new TwitchControl(stack.twitchFakeUrl);
    try {
      await linkTwitch(stack.twitchFakeUrl);

      // The Worker subscribed; the fake sent the challenge; the Worker's answer enabled both.
      const streamSubscriptions = async () =>
        (await twitch.listEventSubSubscriptions(devFixtures.credentials.twitchClientId))
          .filter((subscription) => subscription.condition.broadcaster_user_id === streamer.id)
          .filter((subscription) => subscription.type === "stream.online" || subscription.type === "stream.offline")
          .map((subscription) => `${subscription.type}:${subscription.status}`)
          .sort();
      await expect.poll(streamSubscriptions, poll).toEqual(["stream.offline:enabled", "stream.online:enabled"]);
      const challenges = await twitch.listEventSubDeliveries({
        broadcasterId: streamer.id,
        messageType: "webhook_callback_verification",
      });
      expect(challenges.length).toBeGreaterThanOrEqual(2);
      expect(challenges.every((delivery) => delivery.outcome === "delivered")).toBe(true);

      const loot = await runCommand({
        channelId: general.id,
        command: "loot",
        subcommand: "add",
        options: [
          { name: "name", type: 3, value: "Golden Sword" },
          { name: "weight", type: 4, value: 10 },
        ],
      });
      expect(JSON.stringify(loot.message)).toContain("Golden Sword");

      // Go live: the fake delivers a signed stream.online to the Worker, which accepts it (2xx).
      await callPlayground("PUT", `/api/twitch/users/${streamer.id}/live`, { live: true });
      await expect
        .poll(
          async () =>
            (await twitch.listEventSubDeliveries({ broadcasterId: streamer.id, messageType: "notification" })).map(
              (delivery) => `${delivery.subscriptionType}:${delivery.outcome}:${delivery.status}`,
            ),
          poll,
        )
        .toContain("stream.online:delivered:204");

      // Started while the channel is already live.
      const started = await runCommand({
        channelId: general.id,
        command: "raffle",
        subcommand: "start",
        // No cooldown: the manual draw below still finds someone after twelve ticks.
        options: [
          { name: "channel", type: 7, value: giveaways.id },
          { name: "cooldown", type: 4, value: 0 },
        ],
      });
      expect(JSON.stringify(started.message)).toContain("Raffle started");

      const tick = await callPlayground<{ outcome: string }>("POST", "/api/clock/advance", {});
      expect(tick.outcome).toBe("ok");
      await expect
        .poll(async () => {
          const state = await callPlayground<PlaygroundState>("GET", "/api/state");
          const channel = state.channels.find((candidate) => candidate.id === giveaways.id);
          return JSON.stringify(channel?.messages ?? []);
        }, poll)
        .toContain("Golden Sword");

      // Eleven simulated minutes later (past EventSub's 10-minute replay window), the Worker's
      // HTTP requests still share the ticks' clock: a manual draw is dated on the simulated clock,
      // and the fake's stream.offline, stamped by the same clock, is accepted.
      for (let minute = 0; minute < 11; minute += 1) await callPlayground("POST", "/api/clock/advance", {});
      const { clock } = await callPlayground<PlaygroundState>("GET", "/api/state");
      expect(clock.advancedMinutes).toBe(12);
      const draw = await runCommand({ channelId: general.id, command: "raffle", subcommand: "draw", options: [] });
      expect(JSON.stringify(draw.message)).toContain("Golden Sword");
      const client = new pg.Client({ connectionString: database?.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ slot_at: Date }>("select slot_at from draws where kind = 'manual'");
        expect(rows).toHaveLength(1);
        expect(Math.abs((rows[0]?.slot_at.getTime() ?? 0) - clock.now)).toBeLessThan(60_000);
      } finally {
        await client.end();
      }
      await callPlayground("PUT", `/api/twitch/users/${streamer.id}/live`, { live: false });
      await expect
        .poll(
          async () =>
            (await twitch.listEventSubDeliveries({ broadcasterId: streamer.id, messageType: "notification" })).map(
              (delivery) => `${delivery.subscriptionType}:${delivery.outcome}:${delivery.status}`,
            ),
          poll,
        )
        .toContain("stream.offline:delivered:204");
    } catch (error) {
      console.error(`--- worker output ---\n${workerOutput.slice(-80).join("\n")}`);
      throw error;
    }
  }, 60_000);
});
