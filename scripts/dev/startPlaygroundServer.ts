import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import type { z } from "zod";
import { checkInteractionAnswer, recordInteractionAnswer } from "../../devkit/fakes/discord/interactionResponses";
import type { DiscordFake } from "../../devkit/fakes/discordFake";
import { TwitchControl } from "../../devkit/fakes/twitchControl";
import type { TwitchFake } from "../../devkit/fakes/twitchFake";
import type {
  AutocompleteResult,
  CommandDefinitionJson,
  CommandInput,
  ConversationEntry,
  PlaygroundChannel,
  PlaygroundSetup,
  PlaygroundState,
  TwitchUserView,
  ViewerChatResult,
  ViewersView,
  ViewerView,
} from "../../playground/playgroundApi";
import { buildPlaygroundScript } from "./buildPlaygroundScript";
import { ConversationLog, describeMessage } from "./ConversationLog";
import { createInteractionPayload, describeCommandLine, interactionType } from "./createInteractionPayload";
import {
  autocompleteInputSchema,
  autocompleteResponseSchema,
  chattersInputSchema,
  commandInputSchema,
  interactionResponseSchema,
  liveInputSchema,
  viewerChatInputSchema,
  viewerFactsInputSchema,
} from "./playgroundSchemas";
import type { SimulatedClock } from "./SimulatedClock";
import { sendInteraction } from "./sendInteraction";
import type { Ticker } from "./startTicker";

export interface PlaygroundServerOptions {
  /** 0 picks a free port. */
  port: number;
  playgroundDirectory: string;
  workerUrl: string;
  commands: CommandDefinitionJson[];
  applicationId: string;
  guild: { id: string; name: string };
  channels: readonly PlaygroundChannel[];
  twitch: TwitchFake;
  discord: DiscordFake;
  clock: SimulatedClock;
  ticker: Ticker;
}

export interface PlaygroundServer {
  url: string;
  stop(): Promise<void>;
}

/** Discord's own answer types (https://discord.com/developers/docs/interactions/receiving-and-responding). */
const responseType = { channelMessage: 4, deferredChannelMessage: 5 } as const;
const ephemeralFlag = 64;
const maximumBodyBytes = 1024 * 1024;
const messagesPerChannel = 50;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Serves the playground page and its small JSON API on 127.0.0.1. It plays Discord's part (signs
 * and sends interactions, stores their answers) and drives the fakes' state directly: it runs in
 * the same process as them. Never part of the Worker.
 */
export async function startPlaygroundServer(options: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const conversation = new ConversationLog(options.discord.state, options.clock);
  const viewers = createViewerEditor(options.twitch, options.clock);
  const context = { applicationId: options.applicationId, guildId: options.guild.id, channels: options.channels };

  const setup: PlaygroundSetup = {
    commands: options.commands,
    guild: options.guild,
    channels: [...options.channels],
    workerUrl: options.workerUrl,
    locales: ["en-US", "pt-BR"],
  };

  async function runCommand(input: CommandInput): Promise<ConversationEntry> {
    // A picked file is uploaded as Discord would, before the interaction that carries it.
    const attachments = Object.fromEntries(
      input.options.flatMap((option) =>
        option.file === undefined
          ? []
          : [
              [
                option.name,
                options.discord.state.createAttachment(
                  { ...option.file, channelId: input.channelId },
                  options.discord.url,
                ),
              ],
            ],
      ),
    );
    const { payload, token, id } = createInteractionPayload(input, context, {
      type: interactionType.applicationCommand,
      attachments,
    });
    // Registered first: the Worker may edit its deferred reply before its HTTP answer arrives here.
    options.discord.state.registerInteraction({
      interactionToken: token,
      applicationId: options.applicationId,
      interactionId: id,
      channelId: input.channelId,
    });
    const entry = {
      id,
      interactionToken: token,
      sentAt: new Date(options.clock.now()).toISOString(),
      userName: input.user.name,
      channelId: input.channelId,
      commandLine: describeCommandLine(input, options.channels),
      ephemeral: false,
    };
    try {
      const answer = await sendInteraction(options.workerUrl, payload, options.clock.now());
      const parsed = interactionResponseSchema.safeParse(answer.body);
      // Discord checks the answer (200, JSON, its limits) and shows "This interaction failed" if it refuses it.
      const verdict = recordInteractionAnswer(options.discord.state, token, {
        status: answer.status,
        bodyText: answer.text,
        interactionType: interactionType.applicationCommand,
      });
      if (!verdict.ok) {
        const error = `This interaction failed: ${verdict.problems.join("; ")}`.slice(0, 1000);
        conversation.add({ ...entry, phase: "rejected", httpStatus: answer.status, error });
      } else if (answer.status !== 200 || !parsed.success) {
        conversation.add({ ...entry, phase: "rejected", httpStatus: answer.status, error: answer.text.slice(0, 500) });
      } else if (parsed.data.type === responseType.deferredChannelMessage) {
        conversation.storeDeferredAnswer(token, readFlags(parsed.data.data));
        conversation.add({ ...entry, phase: "thinking", httpStatus: answer.status });
      } else if (parsed.data.type === responseType.channelMessage) {
        conversation.storeImmediateAnswer(token, parsed.data.data ?? {});
        conversation.add({ ...entry, phase: "answered", httpStatus: answer.status });
      } else {
        const error = `answer type ${parsed.data.type} is not a message`;
        conversation.add({ ...entry, phase: "rejected", httpStatus: answer.status, error });
      }
    } catch (error) {
      conversation.add({
        ...entry,
        phase: "unreachable",
        error: error instanceof Error ? error.message : String(error),
      });
    }
    const sent = conversation.list().find((candidate) => candidate.id === id);
    if (!sent) throw new Error("the command just sent is missing from the conversation");
    return sent;
  }

  async function autocomplete(body: unknown): Promise<AutocompleteResult> {
    const input = parseInput(autocompleteInputSchema, body);
    const { payload } = createInteractionPayload(input, context, {
      type: interactionType.autocomplete,
      focused: input.focused,
    });
    const answer = await sendInteraction(options.workerUrl, payload, options.clock.now());
    const verdict = checkInteractionAnswer({
      status: answer.status,
      bodyText: answer.text,
      interactionType: interactionType.autocomplete,
    });
    if (!verdict.ok) {
      // Discord's client shows no options ("Loading options failed"); the page empties its list.
      const reason = `autocomplete: This interaction failed: ${verdict.problems.join("; ")}`;
      console.warn(reason);
      throw new HttpProblem(502, reason.slice(0, 1000));
    }
    const parsed = autocompleteResponseSchema.safeParse(answer.body);
    return { choices: parsed.success ? parsed.data.data.choices : [] };
  }

  function readState(): PlaygroundState {
    return {
      clock: {
        now: options.clock.now(),
        advancedMinutes: options.clock.advancedMinutes,
        ticks: [...options.ticker.history],
      },
      twitch: { users: listTwitchUsers() },
      conversation: conversation.list(),
      channels: listChannels(),
    };
  }

  function listTwitchUsers(): TwitchUserView[] {
    const state = options.twitch.state;
    // A viewer who became a Get Users account (Viewers: "Account created") is no channel to pick.
    const channels = [...state.users.values()].filter(
      (user) =>
        state.chatters.has(user.id) ||
        state.streams.has(user.id) ||
        state.tokens.listRefreshTokensOfUser(user.id).length > 0 ||
        !isChatterAnywhere(state, user.id),
    );
    return channels.map((user) => ({
      id: user.id,
      login: user.login,
      displayName: user.displayName ?? user.login,
      live: state.streams.has(user.id),
      chatterLogins: (state.chatters.get(user.id) ?? []).map((chatter) => chatter.login),
    }));
  }

  function listChannels(): PlaygroundState["channels"] {
    const state = options.discord.state;
    const known = new Map(options.channels.map((channel) => [channel.id, channel.name]));
    for (const channelId of state.messages.keys()) {
      if (!known.has(channelId)) known.set(channelId, `channel-${channelId.slice(-4)}`);
    }
    return [...known].map(([id, name]) => ({
      id,
      name,
      messages: (state.messages.get(id) ?? [])
        .slice(-messagesPerChannel)
        .map((message) => describeMessage(message, options.clock)),
    }));
  }

  function setLive(twitchUserId: string, body: unknown): void {
    const { live } = parseInput(liveInputSchema, body);
    findTwitchUser(twitchUserId);
    if (live) options.twitch.state.setLive(twitchUserId, { title: "Playground stream", viewerCount: 42 });
    else options.twitch.state.setOffline(twitchUserId);
  }

  function setChatters(twitchUserId: string, body: unknown): void {
    const { logins } = parseInput(chattersInputSchema, body);
    findTwitchUser(twitchUserId);
    const state = options.twitch.state;
    const chatters = [...new Set(logins.map((login) => login.toLowerCase()))].map((login) => {
      const user = state.findUserByLogin(login);
      return user
        ? { id: user.id, login: user.login, displayName: user.displayName ?? user.login }
        : // A login already in a chat keeps its Twitch id; only a new one gets a new id.
          { id: state.findIdByLogin(login, twitchUserId) ?? createChatterId(login), login, displayName: login };
    });
    // On Twitch every chatter is an account Get Users answers for (the account-age gate asks); a
    // new one gets the fake's default creation date, which the Viewers table changes.
    for (const chatter of chatters) if (!state.users.has(chatter.id)) state.upsertUser(chatter);
    state.setChatters(twitchUserId, { chatters });
  }

  function findTwitchUser(twitchUserId: string): void {
    if (!options.twitch.state.users.has(twitchUserId)) throw new HttpProblem(404, "no such Twitch user in the fake");
  }

  async function route(request: IncomingMessage): Promise<{ status: number; type: string; body: string }> {
    const url = new URL(request.url ?? "/", "http://playground.invalid");
    const method = request.method ?? "GET";
    const json = (value: unknown, status = 200) => ({ status, type: "application/json", body: JSON.stringify(value) });
    if (method === "GET" && (url.pathname === "/" || url.pathname === "/index.html")) {
      return { status: 200, type: "text/html; charset=utf-8", body: await readPlaygroundFile("index.html") };
    }
    if (method === "GET" && url.pathname === "/styles.css") {
      return { status: 200, type: "text/css; charset=utf-8", body: await readPlaygroundFile("styles.css") };
    }
    if (method === "GET" && url.pathname === "/main.js") {
      return {
        status: 200,
        type: "text/javascript; charset=utf-8",
        body: await buildPlaygroundScript(options.playgroundDirectory),
      };
    }
    if (method === "GET" && url.pathname === "/api/setup") return json(setup);
    if (method === "GET" && url.pathname === "/api/state") return json(readState());
    if (method === "POST" && url.pathname === "/api/commands") {
      return json(await runCommand(parseInput(commandInputSchema, await readJson(request))));
    }
    if (method === "POST" && url.pathname === "/api/autocomplete")
      return json(await autocomplete(await readJson(request)));
    if (method === "POST" && url.pathname === "/api/clock/advance")
      return json(await options.ticker.advanceOneMinute());
    const viewersMatch = /^\/api\/twitch\/users\/(\d{1,20})\/viewers(?:\/(\d{1,20})(\/chat-messages)?)?$/.exec(
      url.pathname,
    );
    if (viewersMatch?.[1] !== undefined) {
      const [, broadcasterId, viewerId, chat] = viewersMatch;
      findTwitchUser(broadcasterId);
      if (method === "GET" && viewerId === undefined) return json(viewers.list(broadcasterId));
      if (method === "PUT" && viewerId !== undefined && chat === undefined) {
        return json(await viewers.save(broadcasterId, viewerId, await readJson(request)));
      }
      if (method === "POST" && viewerId !== undefined && chat !== undefined) {
        return json(await viewers.sayInChat(broadcasterId, viewerId, await readJson(request)));
      }
    }
    const twitchMatch = /^\/api\/twitch\/users\/(\d{1,20})\/(live|chatters)$/.exec(url.pathname);
    if (method === "PUT" && twitchMatch?.[1] !== undefined) {
      const body = await readJson(request);
      if (twitchMatch[2] === "live") setLive(twitchMatch[1], body);
      else setChatters(twitchMatch[1], body);
      return json({ twitch: { users: listTwitchUsers() } });
    }
    throw new HttpProblem(404, `no route for ${method} ${url.pathname}`);
  }

  function readPlaygroundFile(name: string): Promise<string> {
    return readFile(join(options.playgroundDirectory, name), "utf8");
  }

  const server = createServer((request, response) => {
    answer(request, response).catch(() => response.destroy());
  });

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let result: { status: number; type: string; body: string };
    try {
      rejectForeignRequests(request);
      result = await route(request);
    } catch (error) {
      const status = error instanceof HttpProblem ? error.status : 500;
      if (status === 500) console.error("playground server:", error);
      const message = error instanceof Error ? error.message : String(error);
      result = { status, type: "application/json", body: JSON.stringify({ error: message }) };
    }
    response.writeHead(result.status, {
      "content-type": result.type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    response.end(result.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the playground server has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The API drives a fake Discord and Twitch, so only pages served from here may call it: no
 * DNS rebinding (the Host must be loopback), and writes need a JSON body, which a form on another
 * site cannot send without a CORS preflight this server never answers.
 */
function rejectForeignRequests(request: IncomingMessage): void {
  const host = (request.headers.host ?? "").replace(/:\d+$/, "");
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") {
    throw new HttpProblem(403, "the playground answers on 127.0.0.1 or localhost only");
  }
  const writes = request.method !== "GET" && request.method !== "HEAD";
  if (writes && !(request.headers["content-type"] ?? "").startsWith("application/json")) {
    throw new HttpProblem(415, "send JSON (content-type: application/json)");
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maximumBodyBytes) throw new HttpProblem(413, "request body too large");
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, "the body is not JSON");
  }
}

function parseInput<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpProblem(400, `invalid request: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
  }
  return parsed.data;
}

function readFlags(data: Record<string, unknown> | undefined): number {
  return typeof data?.flags === "number" ? data.flags & ephemeralFlag : 0;
}

/** A chatter typed in the playground keeps the same Twitch id every time. */
function createChatterId(login: string): string {
  let hash = 0;
  for (const character of login) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) % 90_000_000;
  return String(700_000_000 + hash);
}

function isChatterAnywhere(state: TwitchFake["state"], userId: string): boolean {
  for (const [broadcasterId, chatters] of state.chatters) {
    if (broadcasterId !== userId && chatters.some((chatter) => chatter.id === userId)) return true;
  }
  return false;
}

/** Twitch began as Justin.tv in 2007: no account or follow is older. */
const earliestTwitchTime = Date.parse("2007-01-01T00:00:00Z");
/** The page's "now" is the simulated clock as the browser last saw it; a minute either way is fine. */
const futureSlackMilliseconds = 60_000;
/** How long a "Say hi" waits for the fake to deliver its `channel.chat.message` before answering. */
const deliveryWaitMilliseconds = 3_000;

/** What the playground said in a chat, with the fake's answer: the fake keeps no record without a subscription. */
interface SaidInChat {
  broadcasterId: string;
  viewerId: string;
  messageId: string;
  at: number;
  text: string;
  notifiedSubscriptions: number;
}

/**
 * The Viewers table: each viewer's gate facts (follow, subscription, account age, last chat).
 * Writes go through the Twitch fake's control API, as a test would make them, so they are checked
 * and announced (EventSub) by the fake's own rules. Reads come from the fake's state, which the
 * control API has no listing of (follows, subscriptions, users).
 */
function createViewerEditor(twitch: TwitchFake, clock: SimulatedClock) {
  const control = new TwitchControl(twitch.url);
  const state = twitch.state;
  const said: SaidInChat[] = [];

  function list(broadcasterId: string): ViewersView {
    const viewers = new Map<string, boolean>();
    for (const chatter of state.chatters.get(broadcasterId) ?? []) viewers.set(chatter.id, true);
    // Who follows or subscribes but left chat keeps their row.
    for (const userId of state.follows.get(broadcasterId)?.keys() ?? [])
      if (!viewers.has(userId)) viewers.set(userId, false);
    for (const userId of state.subscriptions.get(broadcasterId)?.keys() ?? []) {
      if (!viewers.has(userId)) viewers.set(userId, false);
    }
    viewers.delete(broadcasterId);
    return {
      broadcasterId,
      now: clock.now(),
      viewers: [...viewers].flatMap(([viewerId, inChat]) => {
        const viewer = describe(broadcasterId, viewerId, inChat);
        return viewer === undefined ? [] : [viewer];
      }),
    };
  }

  function describe(broadcasterId: string, viewerId: string, inChat: boolean): ViewerView | undefined {
    const account = state.findAccount(viewerId);
    if (account === undefined) return undefined;
    const follow = state.follows.get(broadcasterId)?.get(viewerId);
    const subscription = state.subscriptions.get(broadcasterId)?.get(viewerId);
    return {
      id: viewerId,
      login: account.login,
      displayName: account.displayName,
      inChat,
      createdAt: state.users.get(viewerId)?.createdAt ?? null,
      follow: follow === undefined ? null : { followedAt: follow.followedAt },
      subscription: subscription === undefined ? null : { tier: subscription.tier, isGift: subscription.isGift },
      lastChat: findLastChat(broadcasterId, viewerId),
    };
  }

  function requireViewer(broadcasterId: string, viewerId: string): ViewerView {
    if (viewerId === broadcasterId) {
      throw new HttpProblem(400, "that is the streamer: a channel does not follow or subscribe to itself");
    }
    const inChat = (state.chatters.get(broadcasterId) ?? []).some((chatter) => chatter.id === viewerId);
    const viewer = describe(broadcasterId, viewerId, inChat);
    if (viewer === undefined) {
      throw new HttpProblem(404, `no viewer ${viewerId} in the Twitch fake: add them to "Who is in chat" first`);
    }
    return viewer;
  }

  /** The latest of: what the playground said, the fake's deliveries of `channel.chat.message`, Helix sends. */
  function findLastChat(broadcasterId: string, viewerId: string): ViewerView["lastChat"] {
    const deliveries = state.eventSub
      .listDeliveries({ broadcasterId, messageType: "notification" })
      .deliveries.filter((delivery) => delivery.subscriptionType === "channel.chat.message");
    // By the chat message's id (`event.message_id`): one per subscription notified, and retries.
    const outcomes = new Map<string, Set<string>>();
    const heard: { messageId: string; at: number; text: string }[] = [];
    for (const delivery of deliveries) {
      const event = readChatEvent(delivery.body);
      if (event?.chatterId !== viewerId) continue;
      const seen = outcomes.get(event.messageId) ?? new Set<string>();
      if (seen.size === 0)
        heard.push({ messageId: event.messageId, at: parseTwitchTime(delivery.timestamp), text: event.text });
      seen.add(delivery.outcome);
      outcomes.set(event.messageId, seen);
    }
    const delivery = (messageId: string, notified: number): NonNullable<ViewerView["lastChat"]>["delivery"] => {
      const seen = outcomes.get(messageId);
      if (seen === undefined) return notified === 0 ? "unsubscribed" : "pending";
      if (seen.has("delivered")) return "delivered";
      return seen.has("failed") ? "failed" : "dropped";
    };
    const candidates: NonNullable<ViewerView["lastChat"]>[] = [];
    const ours = new Set<string>();
    for (const message of said) {
      if (message.broadcasterId !== broadcasterId || message.viewerId !== viewerId) continue;
      ours.add(message.messageId);
      const at = new Date(message.at).toISOString();
      candidates.push({ at, text: message.text, delivery: delivery(message.messageId, message.notifiedSubscriptions) });
    }
    for (const message of state.chatMessages) {
      if (message.broadcasterId !== broadcasterId || message.senderId !== viewerId || !message.isSent) continue;
      ours.add(message.messageId);
      candidates.push({
        at: new Date(Date.parse(message.sentAt)).toISOString(),
        text: message.message,
        delivery: "sent-by-api",
      });
    }
    for (const message of heard) {
      if (ours.has(message.messageId) || Number.isNaN(message.at)) continue;
      candidates.push({
        at: new Date(message.at).toISOString(),
        text: message.text,
        delivery: delivery(message.messageId, 1),
      });
    }
    return candidates.reduce<ViewerView["lastChat"]>(
      (latest, candidate) => (latest === null || candidate.at > latest.at ? candidate : latest),
      null,
    );
  }

  function checkTime(field: string, iso: string | undefined): void {
    if (iso === undefined) return;
    const time = Date.parse(iso);
    const now = clock.now();
    if (time > now + futureSlackMilliseconds) {
      throw new HttpProblem(
        400,
        `invalid request: ${field} ${iso} is after the simulated now (${new Date(now).toISOString()})`,
      );
    }
    if (time < earliestTwitchTime)
      throw new HttpProblem(400, `invalid request: ${field} ${iso} is before Twitch existed (2007)`);
  }

  async function save(broadcasterId: string, viewerId: string, body: unknown): Promise<ViewerView> {
    const input = parseInput(viewerFactsInputSchema, body);
    checkTime("follow.followedAt", input.follow?.followedAt);
    checkTime("createdAt", input.createdAt);
    const before = requireViewer(broadcasterId, viewerId);
    await callFake(async () => {
      // First: a chatter becomes a Get Users account, as every real chatter is.
      if (input.createdAt !== undefined) await control.setUserCreatedAt(viewerId, input.createdAt);
      if (input.follow?.following === true) {
        // The fake's own "now" (the simulated clock) when no time is given.
        await control.setFollow(broadcasterId, viewerId, input.follow.followedAt);
      } else if (input.follow?.following === false && before.follow !== null) {
        await control.removeFollow(broadcasterId, viewerId);
      }
      const tier = input.subscription?.tier;
      if (tier !== undefined && tier !== "none") {
        await control.setSubscription(broadcasterId, { userId: viewerId, tier });
      } else if (tier === "none" && before.subscription !== null) {
        await control.removeSubscription(broadcasterId, viewerId);
      }
    });
    return requireViewer(broadcasterId, viewerId);
  }

  async function sayInChat(broadcasterId: string, viewerId: string, body: unknown): Promise<ViewerChatResult> {
    const { text } = parseInput(viewerChatInputSchema, body);
    requireViewer(broadcasterId, viewerId);
    const at = clock.now();
    const result = await callFake(() => control.postChatMessage(broadcasterId, { chatterId: viewerId, text }));
    said.push({
      broadcasterId,
      viewerId,
      messageId: result.messageId,
      at,
      text,
      notifiedSubscriptions: result.notifiedSubscriptions,
    });
    if (said.length > 1000) said.shift();
    // The fake delivers after answering: wait (briefly) to show what the Worker answered.
    const deadline = Date.now() + deliveryWaitMilliseconds;
    while (result.notifiedSubscriptions > 0 && Date.now() < deadline) {
      const lastChat = requireViewer(broadcasterId, viewerId).lastChat;
      if (lastChat !== null && lastChat.delivery !== "pending") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { ...result, viewer: requireViewer(broadcasterId, viewerId) };
  }

  return { list, save, sayInChat };
}

/** A refusal of the Twitch fake's control API (which the checks above should have prevented). */
async function callFake<Result>(call: () => Promise<Result>): Promise<Result> {
  try {
    return await call();
  } catch (error) {
    throw new HttpProblem(502, `the Twitch fake refused: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The chatter, message id and text of a `channel.chat.message` notification body, as the fake recorded it. */
function readChatEvent(body: string): { chatterId: string; messageId: string; text: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const event = typeof parsed === "object" && parsed !== null && "event" in parsed ? parsed.event : undefined;
    if (typeof event !== "object" || event === null) return undefined;
    const chatterId = "chatter_user_id" in event ? event.chatter_user_id : undefined;
    const messageId = "message_id" in event ? event.message_id : undefined;
    const message = "message" in event ? event.message : undefined;
    const text = typeof message === "object" && message !== null && "text" in message ? message.text : "";
    if (typeof chatterId !== "string" || typeof messageId !== "string") return undefined;
    return { chatterId, messageId, text: String(text) };
  } catch {
    return undefined;
  }
}

/** Twitch's RFC3339 with nanoseconds (`…:08.123456789Z`), to milliseconds. */
function parseTwitchTime(value: string): number {
  return Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
}
