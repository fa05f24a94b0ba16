import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordControl, describeSecret } from "../fakes/discordControl";
import { type DiscordFake, startDiscordFake } from "../fakes/discordFake";

const applicationId = "200000000000000002";
const botToken = "fakes-test-bot-token";

let fake: DiscordFake;
let control: DiscordControl;
let nextIdNumber = 0;

beforeAll(async () => {
  fake = await startDiscordFake({ applicationId, botToken });
  control = new DiscordControl(fake.url);
});

afterAll(async () => {
  await fake.stop();
});

/** A snowflake-looking id no other test uses. */
function createUniqueId(): string {
  nextIdNumber += 1;
  return String(300_000_000_000_000_000n + BigInt(nextIdNumber));
}

async function createChannel(forbidden = false): Promise<string> {
  const id = createUniqueId();
  await control.createChannel({ id, guildId: createUniqueId(), forbidden });
  return id;
}

function callDiscord(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${fake.url}/api/v10${path}`, {
    method,
    headers: {
      authorization: `Bot ${botToken}`,
      "user-agent": "DiscordBot (https://liveloot.test, 0.1.0)",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface FormError {
  code: number;
  message: string;
  errors: Record<string, unknown>;
}

describe("channel messages", () => {
  it("posts a message with rate-limit headers and keeps it for the test to read", async () => {
    const channelId = await createChannel();
    const response = await callDiscord("POST", `/channels/${channelId}/messages`, {
      embeds: [
        { title: "Winner", description: "viewer_00001 won a Sword", fields: [{ name: "Item", value: "Sword" }] },
      ],
      allowed_mentions: { parse: [] },
    });
    expect(response.status).toBe(200);
    const message = (await response.json()) as {
      id: string;
      channel_id: string;
      embeds: { type: string; title: string }[];
    };
    expect(message.id).toMatch(/^\d{17,20}$/);
    expect(message.channel_id).toBe(channelId);
    expect(message.embeds[0]).toMatchObject({ type: "rich", title: "Winner" });
    expect(response.headers.get("x-ratelimit-limit")).toBe("5");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("4");
    expect(Number(response.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(0);
    expect(response.headers.get("x-ratelimit-reset")).toMatch(/^\d+\.\d{3}$/);
    expect(response.headers.get("x-ratelimit-bucket")).toMatch(/^[0-9a-f]+$/);
    expect((await control.listMessages(channelId)).map((stored) => stored.id)).toEqual([message.id]);

    const [call] = await control.listCalls({ contains: channelId });
    expect(call?.headers["user-agent"]).toBe("DiscordBot (https://liveloot.test, 0.1.0)");
  });

  it("returns the same message for a repeated enforced nonce", async () => {
    const channelId = await createChannel();
    const post = (enforce: boolean) =>
      callDiscord("POST", `/channels/${channelId}/messages`, {
        content: "draw 42",
        nonce: "draw-42",
        enforce_nonce: enforce,
      });
    const first = (await (await post(true)).json()) as { id: string; nonce: string };
    const second = (await (await post(true)).json()) as { id: string };
    expect(second.id).toBe(first.id);
    expect(first.nonce).toBe("draw-42");
    expect(await control.listMessages(channelId)).toHaveLength(1);
    const unenforced = (await (await post(false)).json()) as { id: string };
    expect(unenforced.id).not.toBe(first.id);
    expect(await control.listMessages(channelId)).toHaveLength(2);
  });

  it("answers 404 Unknown Channel, 403 Missing Access and 401 like Discord", async () => {
    const unknown = await callDiscord("POST", `/channels/${createUniqueId()}/messages`, { content: "hi" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: "Unknown Channel", code: 10003 });
    const forbidden = await callDiscord("POST", `/channels/${await createChannel(true)}/messages`, { content: "hi" });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: "Missing Access", code: 50001 });
    const unauthorized = await callDiscord(
      "POST",
      `/channels/${await createChannel()}/messages`,
      { content: "hi" },
      { authorization: "Bot wrong" },
    );
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ message: "401: Unauthorized", code: 0 });
  });

  it("refuses bodies beyond Discord's limits with 50035 or 50006", async () => {
    const channelId = await createChannel();
    await control.setChannelRateLimit(channelId, { limit: 100, windowSeconds: 5 });
    const post = (body: unknown) => callDiscord("POST", `/channels/${channelId}/messages`, body);

    const tooLong = await post({ content: "x".repeat(2001) });
    expect(tooLong.status).toBe(400);
    const tooLongBody = (await tooLong.json()) as FormError;
    expect(tooLongBody).toMatchObject({ code: 50035, message: "Invalid Form Body" });
    expect(tooLongBody.errors).toEqual({
      content: { _errors: [expect.objectContaining({ code: "BASE_TYPE_MAX_LENGTH" })] },
    });
    expect((await post({ content: "x".repeat(2000) })).status).toBe(200);

    const longTitle = (await (await post({ embeds: [{ title: "t".repeat(257) }] })).json()) as FormError;
    expect(longTitle.errors).toEqual({
      embeds: { "0": { title: { _errors: [expect.objectContaining({ code: "BASE_TYPE_MAX_LENGTH" })] } } },
    });
    const oversized = await post({ embeds: [{ description: "d".repeat(4000) }, { description: "d".repeat(2001) }] });
    expect(oversized.status).toBe(400);
    const elevenEmbeds = await post({ embeds: Array.from({ length: 11 }, () => ({ title: "t" })) });
    expect(elevenEmbeds.status).toBe(400);

    const empty = await post({ content: "" });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ message: "Cannot send an empty message", code: 50006 });

    const badButton = await post({
      content: "claim",
      components: [{ type: 1, components: [{ type: 2, style: 5, url: "https://liveloot.test", custom_id: "nope" }] }],
    });
    expect(badButton.status).toBe(400);
    const ephemeral = await post({ content: "secret", flags: 64 });
    expect(ephemeral.status).toBe(400);

    const form = await fetch(`${fake.url}/api/v10/channels/${channelId}/messages`, {
      method: "POST",
      headers: { authorization: `Bot ${botToken}`, "content-type": "text/plain" },
      body: "hello",
    });
    expect(((await form.json()) as FormError).code).toBe(50035);
  });

  it("answers 429 with retry_after and Retry-After once the channel limit is spent", async () => {
    const channelId = await createChannel();
    await control.setChannelRateLimit(channelId, { limit: 2, windowSeconds: 30 });
    expect((await callDiscord("POST", `/channels/${channelId}/messages`, { content: "1" })).status).toBe(200);
    const second = await callDiscord("POST", `/channels/${channelId}/messages`, { content: "2" });
    expect(second.headers.get("x-ratelimit-remaining")).toBe("0");
    const limited = await callDiscord("POST", `/channels/${channelId}/messages`, { content: "3" });
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { message: string; retry_after: number; global: boolean };
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(25);
    expect(body.retry_after).toBeLessThanOrEqual(30);
    expect(Number(limited.headers.get("retry-after"))).toBe(Math.ceil(body.retry_after));
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    expect(await control.listMessages(channelId)).toHaveLength(2);
  });
});

describe("command registration", () => {
  const command = {
    name: "loot",
    description: "Manage the loot table",
    name_localizations: { "pt-BR": "saque" },
    description_localizations: { "pt-BR": "Gerencia a tabela de prêmios" },
    default_member_permissions: "32",
    options: [
      {
        type: 1,
        name: "add",
        description: "Add an item",
        options: [
          { type: 3, name: "name", description: "Item name", required: true, max_length: 100 },
          { type: 4, name: "weight", description: "Weight", required: true, min_value: 1 },
          { type: 4, name: "stock", description: "Stock" },
        ],
      },
      { type: 1, name: "list", description: "List the items" },
    ],
  };

  it("stores a valid bulk overwrite, keeps ids of unchanged names, hides localizations unless asked", async () => {
    const guildId = createUniqueId();
    const put = await callDiscord("PUT", `/applications/${applicationId}/guilds/${guildId}/commands`, [command]);
    expect(put.status).toBe(200);
    const stored = (await put.json()) as {
      id: string;
      application_id: string;
      guild_id: string;
      name_localizations: object;
    }[];
    expect(stored[0]).toMatchObject({
      application_id: applicationId,
      guild_id: guildId,
      name: "loot",
      name_localizations: { "pt-BR": "saque" },
    });

    const again = (await (
      await callDiscord("PUT", `/applications/${applicationId}/guilds/${guildId}/commands`, [command])
    ).json()) as { id: string }[];
    expect(again[0]?.id).toBe(stored[0]?.id);

    const listed = (await (
      await callDiscord("GET", `/applications/${applicationId}/guilds/${guildId}/commands`)
    ).json()) as Record<string, unknown>[];
    expect(listed[0]?.id).toBe(stored[0]?.id);
    expect(listed[0]?.name_localizations).toBeUndefined();
    const localized = (await (
      await callDiscord("GET", `/applications/${applicationId}/guilds/${guildId}/commands?with_localizations=true`)
    ).json()) as Record<string, unknown>[];
    expect(localized[0]?.name_localizations).toEqual({ "pt-BR": "saque" });
    expect(await control.listCommands(applicationId, guildId)).toHaveLength(1);
    expect(await control.listCommands(applicationId)).toEqual([]);
  });

  it("refuses invalid names, locales, descriptions and too many options with 50035", async () => {
    const put = (commands: unknown) =>
      callDiscord("PUT", `/applications/${applicationId}/guilds/${createUniqueId()}/commands`, commands);

    const badName = await put([{ ...command, name: "Loot Table" }]);
    expect(badName.status).toBe(400);
    const badNameBody = (await badName.json()) as FormError;
    expect(badNameBody).toMatchObject({ code: 50035, message: "Invalid Form Body" });
    expect(badNameBody.errors).toEqual({
      "0": { name: { _errors: [expect.objectContaining({ code: "APPLICATION_COMMAND_INVALID_NAME" })] } },
    });

    const badLocale = (await (await put([{ ...command, name_localizations: { pt: "saque" } }])).json()) as FormError;
    expect(badLocale.errors).toEqual({
      "0": { name_localizations: { pt: { _errors: [expect.objectContaining({ code: "ENUM_TYPE_COERCE" })] } } },
    });

    expect((await put([{ ...command, description: "d".repeat(101) }])).status).toBe(400);
    expect((await put([{ ...command, description: "" }])).status).toBe(400);
    const manyOptions = Array.from({ length: 26 }, (_, index) => ({
      type: 3,
      name: `option${index}`,
      description: "An option",
    }));
    expect((await put([{ name: "many", description: "Many options", options: manyOptions }])).status).toBe(400);
    const requiredAfterOptional = [
      { type: 3, name: "first", description: "optional" },
      { type: 3, name: "second", description: "required", required: true },
    ];
    expect((await put([{ name: "order", description: "Order", options: requiredAfterOptional }])).status).toBe(400);
    expect((await put([command, command])).status).toBe(400);
    expect((await put([{ name: "ação", description: "Unicode letters are fine" }])).status).toBe(200);
  });

  it("answers 403 for another application's id and 401 without a bot token", async () => {
    expect((await callDiscord("PUT", `/applications/${createUniqueId()}/commands`, [command])).status).toBe(403);
    expect(
      (await callDiscord("GET", `/applications/${applicationId}/commands`, undefined, { authorization: "" })).status,
    ).toBe(401);
  });
});

describe("interaction webhooks", () => {
  it("edits @original, posts and edits follow-ups for a registered token, and records them", async () => {
    const token = `interaction-token-${createUniqueId()}`;
    const channelId = createUniqueId();
    await control.registerInteraction({ interactionToken: token, applicationId, channelId });
    const base = `/webhooks/${applicationId}/${token}`;

    const edited = await callDiscord(
      "PATCH",
      `${base}/messages/@original`,
      { content: "Winner: viewer_00001" },
      { authorization: "" },
    );
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as { content: string; channel_id: string }).content).toBe("Winner: viewer_00001");
    const original = (await (await callDiscord("GET", `${base}/messages/@original`)).json()) as {
      content: string;
      edited_timestamp: string | null;
    };
    expect(original.content).toBe("Winner: viewer_00001");
    expect(original.edited_timestamp).not.toBeNull();

    const followUp = await callDiscord("POST", base, { content: "Only you can see this", flags: 64 });
    expect(followUp.status).toBe(200);
    const followUpMessage = (await followUp.json()) as { id: string; flags: number };
    expect(followUpMessage.flags).toBe(64);
    expect((await callDiscord("PATCH", `${base}/messages/${followUpMessage.id}`, { content: "changed" })).status).toBe(
      200,
    );
    expect((await callDiscord("PATCH", `${base}/messages/${createUniqueId()}`, { content: "?" })).status).toBe(404);

    const state = await control.readInteraction(token);
    expect(state.events.map((event) => event.kind)).toEqual(["editOriginal", "createFollowUp", "editFollowUp"]);
    expect(state.original?.content).toBe("Winner: viewer_00001");
    expect(state.followUps.map((message) => message.content)).toEqual(["changed"]);
  });

  it("answers 404 Unknown Webhook for an unknown or expired token", async () => {
    const unknown = await callDiscord("PATCH", `/webhooks/${applicationId}/never-registered/messages/@original`, {
      content: "x",
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: "Unknown Webhook", code: 10015 });

    const token = `old-token-${createUniqueId()}`;
    await control.registerInteraction({
      interactionToken: token,
      applicationId,
      createdAt: new Date(Date.now() - 16 * 60 * 1000).toISOString(),
    });
    const expired = await callDiscord("PATCH", `/webhooks/${applicationId}/${token}/messages/@original`, {
      content: "x",
    });
    expect(expired.status).toBe(404);
    expect(((await expired.json()) as { code: number }).code).toBe(10015);
  });

  it("accepts one callback within 3 seconds, then 40060; a late one gets 10062", async () => {
    const token = `callback-token-${createUniqueId()}`;
    const registered = await control.registerInteraction({ interactionToken: token, applicationId });
    const callback = (interactionId: string, callbackToken: string) =>
      callDiscord("POST", `/interactions/${interactionId}/${callbackToken}/callback`, {
        type: 4,
        data: { content: "pong", flags: 64 },
      });
    expect((await callback(registered.interactionId, token)).status).toBe(204);
    const again = await callback(registered.interactionId, token);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { code: number }).code).toBe(40060);
    const state = await control.readInteraction(token);
    expect(state.callbackType).toBe(4);
    expect(state.original).toMatchObject({ content: "pong", flags: 64 });

    const lateToken = `late-token-${createUniqueId()}`;
    const late = await control.registerInteraction({
      interactionToken: lateToken,
      applicationId,
      createdAt: new Date(Date.now() - 5000).toISOString(),
    });
    const lateAnswer = await callback(late.interactionId, lateToken);
    expect(lateAnswer.status).toBe(404);
    expect(await lateAnswer.json()).toEqual({ message: "Unknown interaction", code: 10062 });
  });
});

describe("control: failures, unexpected calls and redaction", () => {
  it("injects a 429 and a 500 for matching calls only", async () => {
    const channelId = await createChannel();
    const otherChannelId = await createChannel();
    await control.injectFailure({
      method: "POST",
      path: `/api/v10/channels/${channelId}/messages`,
      status: 429,
      retryAfterSeconds: 2.5,
    });
    await control.injectFailure({ path: "/api/v10/channels/*", contains: channelId, status: 500 });

    const limited = await callDiscord("POST", `/channels/${channelId}/messages`, { content: "a" });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ message: "You are being rate limited.", retry_after: 2.5, global: false });
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((await callDiscord("POST", `/channels/${otherChannelId}/messages`, { content: "b" })).status).toBe(200);
    const failed = await callDiscord("POST", `/channels/${channelId}/messages`, { content: "c" });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: "500: Internal Server Error", code: 0 });
    expect((await callDiscord("POST", `/channels/${channelId}/messages`, { content: "d" })).status).toBe(200);
    expect((await control.listMessages(channelId)).map((message) => message.content)).toEqual(["d"]);
    expect(await control.listFailures()).toEqual([]);
  });

  it("answers Cloudflare's error 1015 page when asked: a 429 in HTML, no retry_after, no rate-limit headers", async () => {
    const channelId = await createChannel();
    await control.injectFailure({
      method: "POST",
      path: `/api/v10/channels/${channelId}/messages`,
      page: "cloudflare-1015",
    });

    const limited = await callDiscord("POST", `/channels/${channelId}/messages`, { content: "a" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(limited.headers.get("retry-after")).toBeNull();
    expect([...limited.headers.keys()].filter((name) => name.startsWith("x-ratelimit"))).toEqual([]);
    const page = await limited.text();
    expect(page).toContain("<span>1015</span>");
    expect(page).toContain("You are being rate limited");
    expect(page).not.toContain("retry_after");
    const calls = await control.listCalls({ pathPrefix: `/api/v10/channels/${channelId}/messages` });
    expect(calls.map((call) => [call.status, call.injected])).toEqual([[429, true]]);
    expect((await callDiscord("POST", `/channels/${channelId}/messages`, { content: "b" })).status).toBe(200);
    expect((await control.listMessages(channelId)).map((message) => message.content)).toEqual(["b"]);
  });

  it("answers an unknown URL with a loud 404 and lists it as unexpected", async () => {
    const since = await control.readLastSequence();
    const response = await callDiscord("GET", "/users/@me");
    expect(response.status).toBe(404);
    const body = (await response.json()) as { message: string; code: number; fakeError: string };
    expect(body).toMatchObject({ message: "404: Not Found", code: 0 });
    expect(body.fakeError).toContain("GET /api/v10/users/@me");
    expect(await control.listUnexpectedCalls({ since })).toEqual([
      expect.objectContaining({ path: "/api/v10/users/@me", unexpected: true }),
    ]);
  });

  it("never records the bot token or an interaction token", async () => {
    const token = `secret-interaction-${createUniqueId()}`;
    await control.registerInteraction({ interactionToken: token, applicationId });
    const since = await control.readLastSequence();
    await callDiscord("PATCH", `/webhooks/${applicationId}/${token}/messages/@original`, { content: "done" });
    await callDiscord("POST", `/channels/${await createChannel()}/messages`, { content: "hello" });

    const calls = await control.listCalls({ since });
    expect(calls).toHaveLength(2);
    const recorded = JSON.stringify(calls);
    expect(recorded).not.toContain(botToken);
    expect(recorded).not.toContain(token);
    const tokenDescription = await describeSecret(token);
    expect(calls[0]?.path).toBe(`/api/v10/webhooks/${applicationId}/${tokenDescription}/messages/@original`);
    expect(calls[1]?.headers.authorization).toBe(`Bot ${await describeSecret(botToken)}`);
    expect(await control.listCalls({ contains: tokenDescription })).toHaveLength(1);
  });
});

/** Bodies that break one Discord message limit each (platform facts §1.6). */
const linkRow = (url: string) => ({ type: 1, components: [{ type: 2, style: 5, label: "Link Twitch", url }] });
const buttonRow = (count: number, override: Record<string, unknown> = {}) => ({
  type: 1,
  components: Array.from({ length: count }, (_, index) => ({
    type: 2,
    style: 1,
    label: `Button ${index}`,
    custom_id: `button-${index}`,
    ...override,
  })),
});
const longUrl = (length: number) => {
  const prefix = "https://id.twitch.tv/oauth2/authorize?state=";
  return prefix + "s".repeat(length - prefix.length);
};
const messageViolations: { limit: string; body: Record<string, unknown>; path: string }[] = [
  { limit: "content over 2000", body: { content: "x".repeat(2001) }, path: "content" },
  {
    limit: "link button URL over 512",
    body: { components: [linkRow(longUrl(513))] },
    path: "components.0.components.0.url",
  },
  {
    limit: "custom_id over 100",
    body: { components: [buttonRow(1, { custom_id: "c".repeat(101) })] },
    path: "components.0.components.0.custom_id",
  },
  {
    limit: "button label over 80",
    body: { components: [buttonRow(1, { label: "l".repeat(81) })] },
    path: "components.0.components.0.label",
  },
  {
    limit: "11 embeds",
    body: { embeds: Array.from({ length: 11 }, (_, index) => ({ title: `Embed ${index}` })) },
    path: "embeds",
  },
  {
    limit: "6001 embed characters",
    body: { embeds: [{ description: "d".repeat(4096) }, { description: "d".repeat(1905) }] },
    path: "embeds",
  },
  {
    limit: "6 action rows",
    body: { components: Array.from({ length: 6 }, (_, index) => buttonRow(1, { custom_id: `row-${index}` })) },
    path: "components",
  },
  { limit: "6 buttons in a row", body: { components: [buttonRow(6)] }, path: "components.0.components" },
];

/** The same message right at each limit: Discord takes it. */
const messagesAtLimits: { limit: string; body: Record<string, unknown> }[] = [
  { limit: "content of 2000", body: { content: "x".repeat(2000) } },
  { limit: "link button URL of 512", body: { components: [linkRow(longUrl(512))] } },
  {
    limit: "custom_id of 100 and label of 80",
    body: { components: [buttonRow(1, { custom_id: "c".repeat(100), label: "l".repeat(80) })] },
  },
  { limit: "10 embeds", body: { embeds: Array.from({ length: 10 }, (_, index) => ({ title: `Embed ${index}` })) } },
  {
    limit: "6000 embed characters",
    body: { embeds: [{ description: "d".repeat(4096) }, { description: "d".repeat(1904) }] },
  },
  {
    limit: "5 rows of 5 buttons",
    body: {
      components: Array.from({ length: 5 }, (_, row) => ({
        type: 1,
        components: Array.from({ length: 5 }, (_, index) => ({
          type: 2,
          style: 2,
          label: "b",
          custom_id: `b-${row}-${index}`,
        })),
      })),
    },
  },
];

/** The paths of the `_errors` in Discord's 50035 body: `["data.content"]`. */
function listErrorPaths(errors: unknown, path: string[] = []): string[] {
  if (errors === null || typeof errors !== "object") return [];
  return Object.entries(errors).flatMap(([key, value]) =>
    key === "_errors" ? [path.join(".")] : listErrorPaths(value, [...path, key]),
  );
}

async function registerToken(): Promise<string> {
  const token = `limits-token-${createUniqueId()}`;
  await control.registerInteraction({ interactionToken: token, applicationId, channelId: createUniqueId() });
  return token;
}

describe("the Worker's HTTP answer to an interaction (POST /_control/interactions/:token/response)", () => {
  const answer = (token: string, body: unknown, extra: { interactionType?: number } = {}) =>
    control.recordInteractionResponse(token, {
      status: 200,
      bodyText: JSON.stringify(body),
      contentType: "application/json",
      ...extra,
    });

  it.each(messageViolations)("refuses a type 4 answer with $limit, naming the limit", async ({ body, path }) => {
    const token = await registerToken();
    const verdict = await answer(token, { type: 4, data: body });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.status).toBe(400);
    expect(verdict.error).toMatchObject({ code: 50035, message: "Invalid Form Body" });
    expect(listErrorPaths((verdict.error as FormError).errors)).toEqual([`data.${path}`]);
    expect(verdict.problems.join("; ")).toContain(`data.${path}: `);
    // Refused: nothing recorded, the interaction is still unanswered.
    const state = await control.readInteraction(token);
    expect(state.callbackType).toBeNull();
    expect(state.original?.content).toBe("");
  });

  it.each(messagesAtLimits)("accepts a type 4 answer with $limit", async ({ body }) => {
    const token = await registerToken();
    expect(await answer(token, { type: 4, data: body })).toEqual({ ok: true });
  });

  it("the raw control endpoint answers 400 with Discord's error body, 200 {ok: true} otherwise", async () => {
    const token = await registerToken();
    const post = (body: unknown) =>
      fetch(`${fake.url}/_control/interactions/${token}/response`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const refused = await post({ status: 200, body: { type: 4, data: { components: [linkRow(longUrl(513))] } } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      code: 50035,
      message: "Invalid Form Body",
      errors: {
        data: {
          components: {
            "0": {
              components: {
                "0": { url: { _errors: [expect.objectContaining({ code: "BASE_TYPE_MAX_LENGTH" })] } },
              },
            },
          },
        },
      },
    });
    const accepted = await post({ status: 200, body: { type: 4, data: { content: "Linked!", flags: 64 } } });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ ok: true });
    const unknown = await fetch(`${fake.url}/_control/interactions/never-registered/response`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 200, body: { type: 1 } }),
    });
    expect(unknown.status).toBe(404);
  });

  it("records an accepted message as @original and the interaction as acknowledged", async () => {
    const token = await registerToken();
    const body = { type: 4, data: { content: "Click the button", flags: 64, components: [linkRow(longUrl(512))] } };
    expect(await answer(token, body, { interactionType: 2 })).toEqual({ ok: true });
    const state = await control.readInteraction(token);
    expect(state.callbackType).toBe(4);
    expect(state.original).toMatchObject({ content: "Click the button", flags: 64, edited_timestamp: null });
    expect(state.original?.components).toEqual(body.data.components);
    expect(state.events.map((event) => event.kind)).toEqual(["httpResponse"]);
    // The interaction is acknowledged: the callback endpoint now answers 40060, a second answer is refused.
    const callback = await callDiscord("POST", `/interactions/${state.interactionId}/${token}/callback`, {
      type: 4,
      data: { content: "again" },
    });
    expect(((await callback.json()) as { code: number }).code).toBe(40060);
    const second = await answer(token, body);
    expect(second.ok).toBe(false);
  });

  it("keeps edits of @original made before the answer was recorded (waitUntil runs first in tests)", async () => {
    const token = await registerToken();
    await callDiscord("PATCH", `/webhooks/${applicationId}/${token}/messages/@original`, { content: "Linked!" });
    expect(
      await answer(token, {
        type: 4,
        data: { content: "Click the button", flags: 64, components: [linkRow("https://example.test")] },
      }),
    ).toEqual({ ok: true });
    const state = await control.readInteraction(token);
    expect(state.original).toMatchObject({ content: "Linked!", flags: 64 });
    expect(state.original?.components).toHaveLength(1);
  });

  it("refuses a non-200 status, a body that is not JSON, a wrong Content-Type and an unknown type", async () => {
    const failures = [
      { status: 500, bodyText: '{"type":4,"data":{"content":"oops"}}', reason: "HTTP 500" },
      { status: 401, bodyText: "invalid request signature", reason: "HTTP 401" },
      { status: 200, bodyText: "<html>oops</html>", reason: "not JSON" },
      {
        status: 200,
        bodyText: '{"type":4,"data":{"content":"hi"}}',
        contentType: "text/plain",
        reason: "Content-Type",
      },
      { status: 202, bodyText: "", reason: "202 without" },
    ];
    for (const { reason, ...failure } of failures) {
      const verdict = await control.recordInteractionResponse(await registerToken(), failure);
      expect(verdict.ok, reason).toBe(false);
      if (verdict.ok) continue;
      expect(verdict.error).toMatchObject({ message: "This interaction failed", code: 0 });
      expect(verdict.problems.join(" ")).toContain(reason);
    }
    const unknownType = await answer(await registerToken(), { type: 12 });
    expect(unknownType.ok).toBe(false);
    if (!unknownType.ok) expect(unknownType.problems).toEqual([expect.stringMatching(/^type: Value must be one of/)]);
    const empty = await answer(await registerToken(), { type: 4, data: { content: "" } });
    expect(empty).toMatchObject({ ok: false, error: { message: "Cannot send an empty message", code: 50006 } });
    const missingData = await answer(await registerToken(), { type: 4 });
    expect(missingData.ok).toBe(false);
  });

  it("accepts 202 with no body after the Worker answered through the callback endpoint", async () => {
    const token = await registerToken();
    const { interactionId } = await control.readInteraction(token);
    const callback = await callDiscord("POST", `/interactions/${interactionId}/${token}/callback`, {
      type: 5,
      data: { flags: 64 },
    });
    expect(callback.status).toBe(204);
    expect(await control.recordInteractionResponse(token, { status: 202, bodyText: "" })).toEqual({ ok: true });
  });

  it("defers with the ephemeral flag only", async () => {
    const token = await registerToken();
    expect(await answer(token, { type: 5, data: { flags: 64 } })).toEqual({ ok: true });
    expect((await control.readInteraction(token)).original?.flags).toBe(64);
    const v2 = await answer(await registerToken(), { type: 5, data: { flags: 64 | (1 << 15) } });
    expect(v2.ok).toBe(false);
    if (!v2.ok) expect(v2.problems).toEqual([expect.stringMatching(/^data\.flags: /)]);
  });

  it("checks autocomplete results: at most 25 choices, name 1–100, string value up to 100", async () => {
    const choices = (count: number, choice: (index: number) => Record<string, unknown>) => ({
      type: 8,
      data: { choices: Array.from({ length: count }, (_, index) => choice(index)) },
    });
    const item = (index: number) => ({ name: `Item ${index}`, value: `item-${index}` });
    expect(await answer(await registerToken(), choices(25, item), { interactionType: 4 })).toEqual({ ok: true });
    expect(await answer(await registerToken(), choices(0, item), { interactionType: 4 })).toEqual({ ok: true });
    expect(
      await answer(await registerToken(), { type: 8, data: { choices: [{ name: "n".repeat(100), value: 7 }] } }),
    ).toEqual({ ok: true });

    const refusals: [unknown, string][] = [
      [choices(26, item), "data.choices"],
      [choices(1, () => ({ name: "n".repeat(101), value: "v" })), "data.choices.0.name"],
      [choices(1, () => ({ name: "", value: "v" })), "data.choices.0.name"],
      [choices(1, () => ({ name: "n", value: "v".repeat(101) })), "data.choices.0.value"],
      [{ type: 8, data: {} }, "data.choices"],
    ];
    for (const [body, path] of refusals) {
      const verdict = await answer(await registerToken(), body, { interactionType: 4 });
      expect(verdict.ok, path).toBe(false);
      if (!verdict.ok) expect(listErrorPaths((verdict.error as FormError).errors), path).toEqual([path]);
    }
    // A message is no answer to an autocomplete, and choices are no answer to a command.
    expect((await answer(await registerToken(), { type: 4, data: { content: "hi" } }, { interactionType: 4 })).ok).toBe(
      false,
    );
    expect((await answer(await registerToken(), choices(1, item), { interactionType: 2 })).ok).toBe(false);
  });

  it("checks modals: custom_id 1–100, title up to 45, 1 to 5 components", async () => {
    const row = { type: 1, components: [{ type: 4, custom_id: "name", label: "Name", style: 1 }] };
    const modal = (data: Record<string, unknown>) => ({
      type: 9,
      data: { custom_id: "loot-add", title: "Add loot", components: [row], ...data },
    });
    expect(await answer(await registerToken(), modal({}))).toEqual({ ok: true });
    const refusals: [Record<string, unknown>, string][] = [
      [{ custom_id: "c".repeat(101) }, "data.custom_id"],
      [{ custom_id: "" }, "data.custom_id"],
      [{ title: "t".repeat(46) }, "data.title"],
      [{ components: [] }, "data.components"],
      [{ components: Array.from({ length: 6 }, () => row) }, "data.components"],
    ];
    for (const [data, path] of refusals) {
      const verdict = await answer(await registerToken(), modal(data));
      expect(verdict.ok, path).toBe(false);
      if (!verdict.ok) expect(listErrorPaths((verdict.error as FormError).errors), path).toEqual([path]);
    }
  });
});

describe("the same limits on every other path", () => {
  it.each(messageViolations)("the callback endpoint refuses $limit with 50035", async ({ body, path }) => {
    const token = await registerToken();
    const { interactionId } = await control.readInteraction(token);
    const response = await callDiscord("POST", `/interactions/${interactionId}/${token}/callback`, {
      type: 4,
      data: body,
    });
    expect(response.status).toBe(400);
    const error = (await response.json()) as FormError;
    expect(error.code).toBe(50035);
    expect(listErrorPaths(error.errors)).toEqual([`data.${path}`]);
    expect((await control.readInteraction(token)).callbackType).toBeNull();
  });

  it("the callback endpoint refuses 26 autocomplete choices and accepts 25", async () => {
    const choices = (count: number) => ({
      type: 8,
      data: { choices: Array.from({ length: count }, (_, index) => ({ name: `Item ${index}`, value: `${index}` })) },
    });
    const token = await registerToken();
    const { interactionId } = await control.readInteraction(token);
    const refused = await callDiscord("POST", `/interactions/${interactionId}/${token}/callback`, choices(26));
    expect(refused.status).toBe(400);
    expect(listErrorPaths(((await refused.json()) as FormError).errors)).toEqual(["data.choices"]);
    expect((await callDiscord("POST", `/interactions/${interactionId}/${token}/callback`, choices(25))).status).toBe(
      204,
    );
  });

  it.each(messageViolations)(
    "PATCH @original, follow-ups, follow-up edits and channel messages refuse $limit",
    async ({ body, path }) => {
      const token = await registerToken();
      const base = `/webhooks/${applicationId}/${token}`;
      const followUp = (await (await callDiscord("POST", base, { content: "first" })).json()) as { id: string };
      const channelId = await createChannel();
      const attempts = [
        callDiscord("PATCH", `${base}/messages/@original`, body),
        callDiscord("POST", base, body),
        callDiscord("PATCH", `${base}/messages/${followUp.id}`, body),
        callDiscord("POST", `/channels/${channelId}/messages`, body),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.status).toBe(400);
        const error = (await response.json()) as FormError;
        expect(error.code).toBe(50035);
        expect(listErrorPaths(error.errors)).toEqual([path]);
      }
      const state = await control.readInteraction(token);
      expect(state.original?.content).toBe("");
      expect(state.followUps.map((message) => message.content)).toEqual(["first"]);
      expect(await control.listMessages(channelId)).toEqual([]);
    },
  );

  it("accepts a link button URL of exactly 512 characters on every path", async () => {
    const body = { components: [linkRow(longUrl(512))] };
    const token = await registerToken();
    const base = `/webhooks/${applicationId}/${token}`;
    expect((await callDiscord("PATCH", `${base}/messages/@original`, body)).status).toBe(200);
    expect((await callDiscord("POST", base, body)).status).toBe(200);
    expect((await callDiscord("POST", `/channels/${await createChannel()}/messages`, body)).status).toBe(200);
  });

  it("refuses link buttons whose URL is not http(s) or discord://", async () => {
    const response = await callDiscord("POST", `/channels/${await createChannel()}/messages`, {
      components: [linkRow("javascript:alert(1)")],
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain("URL_TYPE_INVALID_SCHEME");
  });
});

describe("guilds", () => {
  it("answers a known guild's object to the bot, 404 Unknown Guild otherwise, 401 without a token", async () => {
    const guildId = createUniqueId();
    await control.upsertGuild({ id: guildId, name: "LiveLoot Playground" });
    const response = await callDiscord("GET", `/guilds/${guildId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: guildId,
      name: "LiveLoot Playground",
      icon: null,
      owner_id: expect.stringMatching(/^\d+$/),
      roles: [expect.objectContaining({ id: guildId, name: "@everyone" })],
      features: [],
    });

    const unknown = await callDiscord("GET", `/guilds/${createUniqueId()}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: "Unknown Guild", code: 10004 });
    const anonymous = await callDiscord("GET", `/guilds/${guildId}`, undefined, { authorization: "" });
    expect(anonymous.status).toBe(401);
    const wrongToken = await callDiscord("GET", `/guilds/${guildId}`, undefined, { authorization: "Bot wrong" });
    expect(wrongToken.status).toBe(401);
  });

  it("creates a channel's guild with a default name, renames it, and answers 403 once the bot left", async () => {
    const guildId = "500000000000001234";
    await control.createChannel({ id: createUniqueId(), guildId });
    expect(await (await callDiscord("GET", `/guilds/${guildId}`)).json()).toMatchObject({ name: "Server 1234" });
    await control.upsertGuild({ id: guildId, name: "Renamed", ownerId: "600000000000000001", icon: "a_1234" });
    await control.createChannel({ id: createUniqueId(), guildId });
    expect(await (await callDiscord("GET", `/guilds/${guildId}`)).json()).toMatchObject({
      name: "Renamed",
      owner_id: "600000000000000001",
      icon: "a_1234",
    });
    await control.upsertGuild({ id: guildId, name: "Renamed", botMember: false });
    const gone = await callDiscord("GET", `/guilds/${guildId}`);
    expect(gone.status).toBe(403);
    expect(await gone.json()).toEqual({ message: "Missing Access", code: 50001 });
    await expect(control.upsertGuild({ id: guildId, name: "x" })).rejects.toThrow(/400/);
  });
});
