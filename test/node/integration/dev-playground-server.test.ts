import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DiscordFake, startDiscordFake } from "../../../devkit/fakes/discordFake";
import { startTwitchFake, type TwitchFake } from "../../../devkit/fakes/twitchFake";
import type { ConversationEntry, PlaygroundState } from "../../../playground/playgroundApi";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import { SimulatedClock } from "../../../scripts/dev/SimulatedClock";
import type { PlaygroundServer } from "../../../scripts/dev/startPlaygroundServer";
import { startTicker, type Ticker } from "../../../scripts/dev/startTicker";
import { startTestPlayground } from "../../support/startTestPlayground";
import { hexToBytes } from "../../support/worker/signInteraction";

const { credentials } = devFixtures;
const general = devFixtures.channels[0];
const streamer = devFixtures.twitchStreamer;

/**
 * A stand-in for the Worker at the network boundary: it checks Discord's signature with the dev
 * public key and answers like the Worker (immediate, deferred then edited, autocomplete).
 */
async function startWorkerStandIn(discordUrl: string): Promise<{ url: string; server: Server; verified: boolean[] }> {
  const publicKey = await crypto.subtle.importKey("raw", hexToBytes(credentials.discordPublicKey), "Ed25519", false, [
    "verify",
  ]);
  const verified: boolean[] = [];
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    if (request.url?.startsWith("/cdn-cgi/local/scheduled")) {
      response.end('{"outcome":"ok","noRetry":false}');
      return;
    }
    const signature = String(request.headers["x-signature-ed25519"]);
    const timestamp = String(request.headers["x-signature-timestamp"]);
    const valid = await crypto.subtle.verify(
      "Ed25519",
      publicKey,
      hexToBytes(signature),
      new TextEncoder().encode(timestamp + body),
    );
    verified.push(valid);
    const interaction = JSON.parse(body);
    const answer = (value: unknown) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (!valid) {
      response.writeHead(401).end("invalid request signature");
    } else if (interaction.type === 4) {
      answer({ type: 8, data: { choices: [{ name: "Golden Sword", value: "Golden Sword" }] } });
    } else if (interaction.data.name === "twitch") {
      answer({
        type: 4,
        data: {
          content: "Click **the button**.",
          flags: 64,
          components: [
            { type: 1, components: [{ type: 2, style: 5, label: "Link Twitch", url: "http://127.0.0.1:1/x" }] },
          ],
        },
      });
    } else if (interaction.data.name === "raffle") {
      answer({ type: 5, data: { flags: 0 } });
      setTimeout(() => {
        void fetch(
          `${discordUrl}/api/v10/webhooks/${interaction.application_id}/${interaction.token}/messages/@original`,
          {
            method: "PATCH",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ content: "🎉 **alice_viewer** won **Golden Sword**!" }),
          },
        );
      }, 100);
    } else if (interaction.data.name === "loot") {
      // Reads the attached file from its URL, as the Worker's /loot import does.
      const option = interaction.data.options[0].options.find((entry: { type: number }) => entry.type === 11);
      const attachment = interaction.data.resolved.attachments[option.value];
      const file = await fetch(attachment.url);
      answer({ type: 4, data: { content: `${attachment.filename}: ${await file.text()}`, flags: 64 } });
    } else {
      response.writeHead(500).end("stand-in: unexpected command");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { url: `http://127.0.0.1:${address.port}`, server, verified };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

describe("the playground's dev server", () => {
  let discord: DiscordFake;
  let twitch: TwitchFake;
  let worker: Awaited<ReturnType<typeof startWorkerStandIn>>;
  let ticker: Ticker;
  let playground: PlaygroundServer;
  const user = { name: "streamer", manageServer: true, locale: "en-US" };

  beforeAll(async () => {
    discord = await startDiscordFake({
      applicationId: credentials.discordApplicationId,
      botToken: credentials.discordBotToken,
      autoCreateChannels: true,
    });
    twitch = await startTwitchFake({
      clientId: credentials.twitchClientId,
      clientSecret: credentials.twitchClientSecret,
    });
    twitch.state.upsertUser(streamer);
    worker = await startWorkerStandIn(discord.url);
    const clock = new SimulatedClock(Date.now, { time: "manual" });
    ticker = startTicker({ workerUrl: worker.url, clock, automatic: false });
    playground = await startTestPlayground({
      workerUrl: worker.url,
      commands: [{ name: "twitch", description: "Link your Twitch channel" }],
      twitch,
      discord,
      clock,
      ticker,
    });
  });

  afterAll(async () => {
    ticker?.stop();
    await playground?.stop();
    await new Promise<void>((resolve) => (worker ? worker.server.close(() => resolve()) : resolve()));
    await discord?.stop();
    await twitch?.stop();
  });

  async function call<Result>(method: string, path: string, body?: unknown): Promise<Result> {
    const response = await fetch(`${playground.url}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Result;
  }

  test("signs commands like Discord and shows an immediate answer with its buttons", async () => {
    const entry = await call<ConversationEntry>("POST", "/api/commands", {
      user,
      channelId: general.id,
      command: "twitch",
      subcommand: "connect",
      options: [],
    });
    expect(worker.verified.at(-1)).toBe(true);
    expect(entry).toMatchObject({
      phase: "answered",
      ephemeral: true,
      commandLine: "/twitch connect",
      message: { content: "Click **the button**.", flags: 64 },
    });
    expect(JSON.stringify(entry.message?.components)).toContain("Link Twitch");
  });

  test("follows a deferred answer until the Worker edits it", async () => {
    const entry = await call<ConversationEntry>("POST", "/api/commands", {
      user,
      channelId: general.id,
      command: "raffle",
      subcommand: "draw",
      options: [],
    });
    expect(entry.phase).toBe("thinking");
    await expect
      .poll(
        async () => (await call<PlaygroundState>("GET", "/api/state")).conversation.find((e) => e.id === entry.id),
        {
          timeout: 5_000,
        },
      )
      .toMatchObject({ phase: "answered", message: { content: "🎉 **alice_viewer** won **Golden Sword**!" } });
  });

  test("uploads a picked file to the Discord fake and sends it as a resolved attachment", async () => {
    const entry = await call<ConversationEntry>("POST", "/api/commands", {
      user,
      channelId: general.id,
      command: "loot",
      subcommand: "import",
      options: [
        {
          name: "file",
          type: 11,
          value: "loot.csv",
          file: { filename: "loot.csv", contentType: "text/csv", content: "name,weight\nSword,1\n" },
        },
      ],
    });
    expect(entry).toMatchObject({
      phase: "answered",
      commandLine: "/loot import file:loot.csv",
      message: { content: "loot.csv: name,weight\nSword,1\n" },
    });
  });

  test("answers autocomplete through the Worker", async () => {
    const result = await call<{ choices: unknown[] }>("POST", "/api/autocomplete", {
      user,
      channelId: general.id,
      command: "loot",
      subcommand: "remove",
      options: [{ name: "name", type: 3, value: "Go" }],
      focused: "name",
    });
    expect(result.choices).toEqual([{ name: "Golden Sword", value: "Golden Sword" }]);
  });

  test("sets the stream live and the chatters in the Twitch fake", async () => {
    await call("PUT", `/api/twitch/users/${streamer.id}/live`, { live: true });
    await call("PUT", `/api/twitch/users/${streamer.id}/chatters`, {
      logins: ["alice_viewer", "Bob_Builds", "alice_viewer"],
    });
    expect(twitch.state.streams.has(streamer.id)).toBe(true);
    expect(twitch.state.chatters.get(streamer.id)?.map((chatter) => chatter.login)).toEqual([
      "alice_viewer",
      "bob_builds",
    ]);
    const state = await call<PlaygroundState>("GET", "/api/state");
    expect(state.twitch.users.find((entry) => entry.id === streamer.id)).toMatchObject({
      live: true,
      chatterLogins: ["alice_viewer", "bob_builds"],
    });
    await call("PUT", `/api/twitch/users/${streamer.id}/live`, { live: false });
    expect(twitch.state.streams.has(streamer.id)).toBe(false);
  });

  test("advances the clock one minute and fires the tick", async () => {
    const tick = await call<{ outcome: string; trigger: string }>("POST", "/api/clock/advance", {});
    expect(tick).toMatchObject({ outcome: "ok", trigger: "manual" });
    const state = await call<PlaygroundState>("GET", "/api/state");
    expect(state.clock.advancedMinutes).toBe(1);
    expect(state.clock.ticks[0]).toMatchObject({ outcome: "ok" });
  });

  test("serves the page and its script, bundled from playground/", async () => {
    const page = await fetch(playground.url);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<script type="module" src="/main.js">');
    const script = await fetch(`${playground.url}/main.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("parseMarkdown");
  });

  test("refuses other sites: a foreign Host, a non-JSON write, bad input", async () => {
    const foreign = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${playground.url}/api/state`, { headers: { host: "evil.example" } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      request.end();
    });
    expect(foreign).toBe(403);
    const form = await fetch(`${playground.url}/api/clock/advance`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=b",
    });
    expect(form.status).toBe(415);
    const invalid = await fetch(`${playground.url}/api/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: { name: "" } }),
    });
    expect(invalid.status).toBe(400);
  });
});
