import { createExecutionContext, createMessageBatch, evictDurableObject, getQueueResult } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import { computeSha256Hex } from "../../../worker/fairness/bytes";
import worker from "../../../worker/index";
import { type OverlayNamespace, tokenDigestHeader } from "../../../worker/overlay/overlayBinding";
import type { OverlayDraw, OverlayEvent } from "../../../worker/overlay/overlayEvents";
import { callWorker, runScheduledTick, testEnvironment } from "../../support/worker/callWorker";
import { message } from "../../support/worker/commandHelpers";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, useTickDatabase } from "../../support/worker/ownDatabase";

// The on-stream overlay (docs/contract.md "On-stream overlay"): /overlay's secret link, its page, /state and
// the /live socket held by the server's Durable Object (real workerd object, hibernation API), fed
// by the draw path. Ticks run against this file's own database (ownDatabaseUrl).
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = useTickDatabase(bindings);
const baseUrl = testEnvironment().PUBLIC_BASE_URL ?? "";
const minute = 60_000;

function overlayNamespace(): OverlayNamespace {
  const namespace = testEnvironment().OVERLAY;
  if (!namespace) throw new Error("the OVERLAY binding is missing from the test environment");
  return namespace;
}

/** Runs /overlay (new_link when asked) and returns the reply and the token in its URL. */
async function runOverlay(scene: InteractionScene, options: { new_link?: boolean } = {}) {
  const result = await runCommand(scene, "overlay", "", options, { bindings });
  const content = result.body.data?.content ?? "";
  const token = new RegExp(`${baseUrl}/overlay/([A-Za-z0-9_-]+)`).exec(content)?.[1];
  if (!token) throw new Error(`no overlay URL in the reply: ${content}`);
  return { result, content, token };
}

function request(path: string, init: RequestInit = {}): Promise<Response> {
  return callWorker(new Request(`${baseUrl}${path}`, init), bindings);
}

/** An overlay socket as OBS would hold it, recording every message and its close. */
async function connectOverlay(token: string) {
  const response = await request(`/overlay/${token}/live`, { headers: { upgrade: "websocket" } });
  expect(response.status).toBe(101);
  const socket = response.webSocket;
  if (!socket) throw new Error("no WebSocket in the 101 answer");
  socket.accept();
  const messages: { event: OverlayEvent; receivedAt: number }[] = [];
  const closed: { code: number; reason: string }[] = [];
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string" && event.data !== "pong") {
      messages.push({ event: JSON.parse(event.data) as OverlayEvent, receivedAt: Date.now() });
    }
  });
  socket.addEventListener("close", (event) => {
    closed.push({ code: event.code, reason: event.reason });
  });
  return { socket, messages, closed };
}

async function waitFor(condition: () => boolean, milliseconds = 5_000): Promise<void> {
  const deadline = Date.now() + milliseconds;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A linked, live server with loot, one raffle drawing once an hour and three viewers in chat. */
async function startLiveRaffle(
  loot = "Common Crate:70, Rare Knife:25, Golden Dragon:5",
  extra: { claim?: number } = {},
) {
  const scene = createScene();
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  await runCommand(scene, "loot", "import", { items: loot }, { bindings });
  const viewers = [0, 1, 2].map((index) => ({
    id: `8${streamer.id.slice(-8)}${index}`,
    login: `ov_${streamer.id}_${index}`.slice(0, 25),
    displayName: `Overlay_Viewer${index}`,
  }));
  await twitchControl().setChatters(streamer.id, { chatters: viewers });
  await twitchControl().setLive(streamer.id);
  await runCommand(scene, "raffle", "start", { every: 60, cooldown: 0, ...extra }, { bindings });
  return { scene, streamer, viewers };
}

async function readState(token: string): Promise<{ raffle: unknown; draws: OverlayDraw[] }> {
  const response = await request(`/overlay/${token}/state`);
  expect(response.status).toBe(200);
  return response.json();
}

function nextMinute(): number {
  return Math.floor(Date.now() / minute) * minute + minute;
}

describe("/overlay", () => {
  it("gives one secret URL, the same each time, found by its digest and kept sealed", async () => {
    const scene = createScene();
    const first = await runOverlay(scene);
    expect(first.result.body.data?.flags).toBe(64);
    expect(first.content).toBe(message("overlayLinkReply", { url: `${baseUrl}/overlay/${first.token}` }));
    // 32 random bytes, base64url: 256 bits.
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await runOverlay(scene);
    expect(again.token).toBe(first.token);

    const [row] = await database.query<{ token_digest: string; token_ciphertext: string }>(
      "select token_digest, token_ciphertext from overlay_links where guild_id = $1",
      [scene.guildId],
    );
    expect(row?.token_digest).toBe(await computeSha256Hex(first.token));
    expect(row?.token_ciphertext).not.toContain(first.token);
    expect(
      JSON.stringify(await database.query("select * from overlay_links where guild_id = $1", [scene.guildId])),
    ).not.toContain(first.token);

    // Another server gets its own link; a token of one server never opens the other's.
    const other = await runOverlay(createScene());
    expect(other.token).not.toBe(first.token);
  });

  it("answers in the member's language and refuses members without Manage Server", async () => {
    const portuguese = await runOverlay(createScene({ locale: "pt-BR" }));
    expect(portuguese.content).toBe(
      message("overlayLinkReply", { url: `${baseUrl}/overlay/${portuguese.token}` }, "pt-BR"),
    );
    const refused = await runCommand(createScene({ permissions: "0" }), "overlay", "", {}, { bindings });
    expect(refused.body.data?.content).toBe(message("needsManageServer"));
  });

  it("serves the page, /state and /live only for a known token; anything else is a 404", async () => {
    const scene = createScene({ guildLocale: "pt-BR" });
    const { token } = await runOverlay(scene);
    const page = await request(`/overlay/${token}`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toContain('<script src="/assets/overlay.js" defer></script>');
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(await readState(token)).toEqual({ raffle: null, draws: [] });

    const notWebSocket = await request(`/overlay/${token}/live`);
    expect(notWebSocket.status).toBe(426);

    const unknown = "A".repeat(43);
    for (const path of [`/overlay/${unknown}`, `/overlay/${unknown}/state`, "/overlay/short/state"]) {
      expect((await request(path)).status).toBe(404);
    }
    const unknownSocket = await request(`/overlay/${unknown}/live`, { headers: { upgrade: "websocket" } });
    expect(unknownSocket.status).toBe(404);
  });

  it("never logs the token, even when the database is down", async () => {
    const { token } = await runOverlay(createScene());
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...parts: unknown[]) => {
        lines.push(parts.map(String).join(" "));
      });
    }
    // Nothing listens on port 1: every query is refused at once.
    const down = { ...bindings, NEON_HTTP_ENDPOINT: "http://127.0.0.1:1/sql" };
    const response = await callWorker(new Request(`${baseUrl}/overlay/${token}/state`), down);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain(token);
    expect(lines.some((line) => line.includes("/overlay/[token]/state"))).toBe(true);
    for (const line of lines) expect(line).not.toContain(token);
    // With the database back, the same URL answers again (and the driver's endpoint is the real one).
    expect((await request(`/overlay/${token}/state`)).status).toBe(200);
  });

  it("new_link replaces the URL: the old one answers 404 at once and its open sockets close", async () => {
    const scene = createScene();
    const old = await runOverlay(scene);
    const oldSocket = await connectOverlay(old.token);
    const replaced = await runOverlay(scene, { new_link: true });
    expect(replaced.token).not.toBe(old.token);
    expect(replaced.content).toBe(message("overlayLinkReplaced", { url: `${baseUrl}/overlay/${replaced.token}` }));
    await waitFor(() => oldSocket.closed.length > 0);
    expect(oldSocket.closed[0]?.code).toBe(4404);
    for (const path of [`/overlay/${old.token}`, `/overlay/${old.token}/state`]) {
      expect((await request(path)).status).toBe(404);
    }
    expect((await request(`/overlay/${old.token}/live`, { headers: { upgrade: "websocket" } })).status).toBe(404);

    const newSocket = await connectOverlay(replaced.token);
    expect((await readState(replaced.token)).raffle).toBeNull();
    // Replacing again closes the second socket too, and only sockets of this server.
    const bystander = await connectOverlay((await runOverlay(createScene())).token);
    await runOverlay(scene, { new_link: true });
    await waitFor(() => newSocket.closed.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bystander.closed).toEqual([]);
  });
  it("a replacement its object missed (the call timed out) is caught up: the new URL connects, old sockets close", async () => {
    const scene = createScene();
    const old = await runOverlay(scene);
    const replaced = await runOverlay(scene, { new_link: true });
    // As if /overlay's call to the object had failed: it still holds the old digest, a socket open on it.
    const room = overlayNamespace().getByName(scene.guildId);
    const oldDigest = await computeSha256Hex(old.token);
    await room.replaceToken(oldDigest);
    const stale = await room.fetch(
      new Request("https://overlay.internal/live", {
        headers: { upgrade: "websocket", [tokenDigestHeader]: oldDigest },
      }),
    );
    expect(stale.status).toBe(101);
    const staleSocket = stale.webSocket;
    if (!staleSocket) throw new Error("no WebSocket in the 101 answer");
    staleSocket.accept();
    const staleClosed: number[] = [];
    staleSocket.addEventListener("close", (event) => staleClosed.push(event.code));

    // The streamer's OBS, on the new URL, still gets its live socket, and the leaked one is cut off.
    const fresh = await connectOverlay(replaced.token);
    await waitFor(() => staleClosed.length > 0);
    expect(staleClosed[0]).toBe(4404);
    expect(fresh.closed).toEqual([]);
    // The old URL, refused by the database, never gets the object back.
    expect((await request(`/overlay/${old.token}/live`, { headers: { upgrade: "websocket" } })).status).toBe(404);
  });
});

describe("the overlay's live draws", () => {
  it("fans a tick's draw out to every socket once, within 2 s of the record, as /state lists it", async () => {
    const { scene, viewers } = await startLiveRaffle();
    const { token } = await runOverlay(scene);
    const sockets = [await connectOverlay(token), await connectOverlay(token), await connectOverlay(token)];

    const slotAt = nextMinute();
    await runScheduledTick(slotAt, bindings);
    await waitFor(() => sockets.every((socket) => socket.messages.length > 0));
    // A replayed minute draws nothing new and sends nothing new.
    await runScheduledTick(slotAt, bindings);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const state = await readState(token);
    const [draw] = state.draws;
    if (!draw) throw new Error("no draw in /state");
    const [recorded] = await database.query<{ created_at: Date; public_id: string }>(
      "select d.created_at, r.public_id from draws d join raffles r on r.id = d.raffle_id where d.guild_id = $1",
      [scene.guildId],
    );
    for (const socket of sockets) {
      expect(socket.messages.map((entry) => entry.event)).toEqual([{ type: "draw", draw }]);
      expect((socket.messages[0]?.receivedAt ?? 0) - (recorded?.created_at.getTime() ?? 0)).toBeLessThan(2_000);
    }
    expect(state.raffle).toMatchObject({ id: recorded?.public_id, status: "running", every: 60 });
    const winner = viewers.find((viewer) => viewer.id === draw.winner.user_id);
    expect(draw.winner).toEqual({
      platform: "twitch",
      user_id: winner?.id,
      login: winner?.login,
      display_name: winner?.displayName,
    });
    expect(draw.verify_url).toBe(`${baseUrl}/r/${recorded?.public_id}#draw-${draw.draw_number}`);
    expect(draw.slot).toBe(`${new Date(slotAt).toISOString().slice(0, 16)}Z`);
    // The reel: 40 names, each about as often as its chance, the drawn one included.
    const count = (name: string) => draw.reel.filter((entry) => entry === name).length;
    expect(draw.reel).toHaveLength(40);
    expect([count("Common Crate"), count("Rare Knife"), count("Golden Dragon")]).toEqual([28, 10, 2]);
    expect(draw.reel).toContain(draw.item.name);
    const weights: Record<string, number> = { "Common Crate": 70, "Rare Knife": 25, "Golden Dragon": 5 };
    expect(draw.item.weight).toBe(weights[draw.item.name]);
    expect(draw.item.chance).toBeCloseTo((weights[draw.item.name] ?? 0) / 100, 10);

    // The Discord announcement names the same winner.
    const posted = await discordControl().listMessages(scene.channelId);
    expect(JSON.stringify(posted.map((entry) => entry.embeds))).toContain(
      draw.winner.display_name.replace(/_/g, "\\\\_"),
    );
  });

  it("an unclaimed prize's redraw reaches the overlay with its new winner, and /state says so", async () => {
    const { scene } = await startLiveRaffle("Only Item:1", { claim: 1 });
    const { token } = await runOverlay(scene);
    const socket = await connectOverlay(token);
    const slotAt = nextMinute();
    await runScheduledTick(slotAt, bindings);
    await waitFor(() => socket.messages.length === 1);
    // The claim window passes: the tick redraws among the slot's other entrants.
    await runScheduledTick(slotAt + minute, bindings);
    await waitFor(() => socket.messages.length === 2);
    const [drawn, redrawn] = socket.messages.map((entry) => entry.event);
    if (drawn?.type !== "draw" || redrawn?.type !== "redraw") throw new Error("expected a draw, then a redraw");
    expect(redrawn.draw.draw_number).toBe(drawn.draw.draw_number);
    expect(redrawn.draw.winner.user_id).not.toBe(drawn.draw.winner.user_id);
    expect(drawn.draw.claim_expires_at).toBe(new Date(slotAt + minute).toISOString());
    expect(redrawn.draw.claim_expires_at).toBe(new Date(slotAt + 2 * minute).toISOString());
    expect((await readState(token)).draws).toEqual([redrawn.draw]);
  });

  it("the queue consumer's draws and /raffle draw reach the overlay too", async () => {
    const { scene } = await startLiveRaffle("Only Item:1");
    const { token } = await runOverlay(scene);
    const socket = await connectOverlay(token);
    const [raffle] = await database.query<{ id: string }>(
      "select id::text from raffles where guild_id = $1 and status = 'running'",
      [scene.guildId],
    );
    const batch = createMessageBatch("liveloot-draws", [
      { id: "0", timestamp: new Date(), attempts: 1, body: { raffleId: raffle?.id, slotAt: nextMinute() } },
    ]);
    const execution = createExecutionContext();
    await worker.queue(batch, { ...testEnvironment(), ...bindings }, execution);
    expect((await getQueueResult(batch, execution)).explicitAcks).toEqual(["0"]);
    await waitFor(() => socket.messages.length === 1);

    const manual = await runCommand(scene, "raffle", "draw", {}, { bindings });
    expect(manual.body.type).toBe(5);
    await waitFor(() => socket.messages.length === 2);
    const draws = socket.messages.map((entry) => entry.event);
    expect(draws.map((event) => event.type)).toEqual(["draw", "draw"]);
    const [queued, drawnNow] = draws as Extract<OverlayEvent, { type: "draw" }>[];
    expect(queued?.draw.slot).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
    expect(drawnNow?.draw.slot).toMatch(/^manual-/);
    expect(drawnNow?.draw.draw_number).toBe((queued?.draw.draw_number ?? 0) + 1);
  });

  it("tells the overlay when the raffle stops and starts", async () => {
    const { scene } = await startLiveRaffle("Only Item:1");
    const { token } = await runOverlay(scene);
    const socket = await connectOverlay(token);
    await runCommand(scene, "raffle", "stop", {}, { bindings });
    await waitFor(() => socket.messages.length === 1);
    await runCommand(scene, "raffle", "start", { every: 60 }, { bindings });
    await waitFor(() => socket.messages.length === 2);
    expect(socket.messages.map((entry) => entry.event)).toEqual([
      { type: "raffle", status: "stopped" },
      { type: "raffle", status: "running" },
    ]);
    expect((await readState(token)).raffle).toMatchObject({ status: "running", every: 60 });
  });

  it("sends an event once per connection however often it is published", async () => {
    const scene = createScene();
    const { token } = await runOverlay(scene);
    const socket = await connectOverlay(token);
    const room = overlayNamespace().getByName(scene.guildId);
    const event: OverlayEvent = {
      type: "claimed",
      raffle: "r".repeat(22),
      draw_number: 7,
      by: { platform: "twitch", user_id: "1", login: "someone", display_name: "Someone" },
    };
    expect(await room.publish(event, "claimed:test:7")).toBe(1);
    expect(await room.publish(event, "claimed:test:7")).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(socket.messages.map((entry) => entry.event)).toEqual([event]);
  });

  it("hibernates with its sockets open and, woken by the next draw, still reaches them", async () => {
    const { scene } = await startLiveRaffle("Only Item:1");
    const { token } = await runOverlay(scene);
    const socket = await connectOverlay(token);
    const stub = (testEnvironment().OVERLAY as unknown as DurableObjectNamespace).getByName(scene.guildId);
    await evictDurableObject(stub);
    // A ping after hibernation is answered by the runtime, without the object.
    const pongs: string[] = [];
    socket.socket.addEventListener("message", (event) => {
      if (event.data === "pong") pongs.push(event.data);
    });
    socket.socket.send("ping");
    await waitFor(() => pongs.length === 1);

    await runScheduledTick(nextMinute(), bindings);
    await waitFor(() => socket.messages.length === 1);
    expect(socket.messages[0]?.event).toMatchObject({ type: "draw", draw: { item: { name: "Only Item", chance: 1 } } });
    expect(socket.closed).toEqual([]);
  });

  it("a publish that fails leaves the draw and its announcement untouched", async () => {
    const { scene } = await startLiveRaffle("Only Item:1");
    await runOverlay(scene);
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...parts: unknown[]) => {
        lines.push(parts.map(String).join(" "));
      });
    }
    // The overlay's object throws on every call.
    const throwingOverlays: OverlayNamespace = {
      getByName: () => ({
        publish: () => Promise.reject(new Error("overlay object exploded")),
        replaceToken: () => Promise.reject(new Error("overlay object exploded")),
        fetch: () => Promise.reject(new Error("overlay object exploded")),
      }),
    };
    await runScheduledTick(nextMinute(), { ...bindings, OVERLAY: throwingOverlays });
    const draws = await database.query<{ announcement_status: string; announcement_message_id: string | null }>(
      "select announcement_status, announcement_message_id from draws where guild_id = $1",
      [scene.guildId],
    );
    expect(draws).toHaveLength(1);
    expect(draws[0]?.announcement_status).toBe("delivered");
    const posted = await discordControl().listMessages(scene.channelId);
    expect(posted.map((entry) => entry.id)).toContain(draws[0]?.announcement_message_id);
    const failures = lines.filter((line) => line.includes("overlay publish failed"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain("overlay object exploded");
    expect(lines.some((line) => line.includes('"tick failed"'))).toBe(false);
  });
});
