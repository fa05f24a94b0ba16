import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DiscordFake, startDiscordFake } from "../../../devkit/fakes/discordFake";
import { startTwitchFake, type TwitchFake } from "../../../devkit/fakes/twitchFake";
import type { ConversationEntry } from "../../../playground/playgroundApi";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import { SimulatedClock } from "../../../scripts/dev/SimulatedClock";
import type { PlaygroundServer } from "../../../scripts/dev/startPlaygroundServer";
import { startTicker, type Ticker } from "../../../scripts/dev/startTicker";
import { startTestPlayground } from "../../support/startTestPlayground";

const { credentials } = devFixtures;
const general = devFixtures.channels[0];

/** A Worker stand-in whose answers Discord would refuse: a 513-character link, 26 choices, a 500. */
async function startBadWorker(): Promise<Server> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.from(chunk));
    const interaction = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const answer = (value: unknown) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (interaction.type === 4) {
      const choices = Array.from({ length: 26 }, (_, index) => ({ name: `Item ${index}`, value: `item-${index}` }));
      answer({ type: 8, data: { choices } });
    } else if (interaction.data.name === "twitch") {
      const url = `https://id.twitch.tv/oauth2/authorize?state=${"s".repeat(513 - 44)}`;
      answer({
        type: 4,
        data: {
          content: "Link",
          flags: 64,
          components: [{ type: 1, components: [{ type: 2, style: 5, label: "Link", url }] }],
        },
      });
    } else if (interaction.data.name === "loot") {
      answer({ type: 4, data: { content: "Fine", flags: 64 } });
    } else {
      response.writeHead(500).end("stand-in: broken");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return server;
}

describe("the playground shows what Discord would refuse as 'This interaction failed'", () => {
  let discord: DiscordFake;
  let twitch: TwitchFake;
  let worker: Server;
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
    worker = await startBadWorker();
    const address = worker.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const workerUrl = `http://127.0.0.1:${address.port}`;
    const clock = new SimulatedClock();
    ticker = startTicker({ workerUrl, clock, automatic: false });
    playground = await startTestPlayground({ workerUrl, twitch, discord, clock, ticker });
  });

  afterAll(async () => {
    ticker?.stop();
    await playground?.stop();
    await new Promise<void>((resolve) => (worker ? worker.close(() => resolve()) : resolve()));
    await discord?.stop();
    await twitch?.stop();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${playground.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const command = (name: string, subcommand: string) => ({
    user,
    channelId: general.id,
    command: name,
    subcommand,
    options: [],
  });

  test("a link button URL over 512 characters", async () => {
    const entry = (await (await post("/api/commands", command("twitch", "connect"))).json()) as ConversationEntry;
    expect(entry.phase).toBe("rejected");
    expect(entry.error).toMatch(/^This interaction failed: data\.components\.0\.components\.0\.url: Must be 512/);
    expect(entry.message).toBeUndefined();
  });

  test("an HTTP 500", async () => {
    const entry = (await (await post("/api/commands", command("raffle", "draw"))).json()) as ConversationEntry;
    expect(entry).toMatchObject({ phase: "rejected", httpStatus: 500 });
    expect(entry.error).toContain("This interaction failed");
  });

  test("an answer Discord takes is still shown", async () => {
    const entry = (await (await post("/api/commands", command("loot", "list"))).json()) as ConversationEntry;
    expect(entry).toMatchObject({ phase: "answered", message: { content: "Fine" } });
  });

  test("26 autocomplete choices: no options, and the reason", async () => {
    const response = await post("/api/autocomplete", {
      ...command("loot", "remove"),
      options: [{ name: "name", type: 3, value: "It" }],
      focused: "name",
    });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: string }).error).toContain("data.choices: Must be 25 or fewer");
  });
});
